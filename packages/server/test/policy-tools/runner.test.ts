import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, SignJWT } from "jose";
import { exitCode, renderJson, renderTable, summarize } from "../../src/policy-tools/testing/report.js";
import { runCaseFile, type CaseResult, type FileResult } from "../../src/policy-tools/testing/run-cases.js";
import { JWT_POLICY, TENANT, tempFolder, type Folder } from "./helpers.js";

let folder: Folder;
before(async () => {
  folder = await tempFolder();
});
after(() => folder.remove());

const ISSUER = `issuers:\n  - tenant: ${TENANT}\n`;

async function run(files: Record<string, string>): Promise<FileResult> {
  return runCaseFile(await folder.write(files));
}

function byName(result: FileResult, name: string): CaseResult {
  const found = result.cases.find((c) => c.name === name);
  assert.ok(found, `no case '${name}' in ${JSON.stringify(result)}`);
  return found;
}

/** Every case passed; otherwise the assertion shows the mismatches. */
function assertAllPassed(result: FileResult): void {
  assert.equal(result.problem, undefined);
  const failed = result.cases.filter((c) => !c.passed);
  assert.deepEqual(
    failed.map((c) => ({ name: c.name, mismatches: c.mismatches })),
    [],
  );
}

describe("policy test runner", () => {
  it("reports passing and failing cases with the first mismatch, as a table, as JSON and as exit code 1", async () => {
    const result = await run({
      "basic.yaml": `
api: { name: echo, path: echo, serviceUrl: "https://backend.example/base" }
operation: { name: get-item, method: GET, urlTemplate: "/items/{id}" }
policies:
  api: |
    <policies>
      <inbound><base /><set-header name="X-Gateway" exists-action="override"><value>on</value></set-header></inbound>
      <backend><base /></backend>
      <outbound><base /><set-header name="X-Powered-By" exists-action="delete" /></outbound>
      <on-error><base /></on-error>
    </policies>
cases:
  - name: forwards with the header
    request: { path: "/echo/items/7?q=1" }
    backend: { status: 201, headers: { X-Powered-By: Express, X-Id: "7" }, body: created }
    expect:
      status: 201
      headers: { X-Powered-By: null, X-Id: "7" }
      body: created
      backendUrl: "https://backend.example/base/items/7?q=1"
      backendRequest: { method: GET, headers: { X-Gateway: "on" } }
      lastError: null
  - name: expects the wrong status
    request: { path: /echo/items/7 }
    expect: { status: 204, body: /^cre/ }
`,
    });
    assert.equal(result.problem, undefined);
    assert.equal(byName(result, "forwards with the header").passed, true, JSON.stringify(result.cases[0]));
    const failing = byName(result, "expects the wrong status");
    assert.equal(failing.passed, false);
    assert.deepEqual(failing.mismatches, [
      { field: "status", expected: "204", actual: "200" },
      { field: "body", expected: "/^cre/", actual: '""' },
    ]);

    const summary = summarize([result]);
    assert.deepEqual(summary, { files: 1, cases: 2, passed: 1, failed: 1, problems: 0 });
    assert.equal(exitCode(summary), 1);
    const table = renderTable([result]);
    assert.match(table, /forwards with the header\s+pass\n/);
    assert.match(table, /expects the wrong status\s+FAIL\s+status: expected 204, got 200 \(\+1 more\)/);
    assert.match(table, /1 file, 2 cases: 1 passed, 1 failed\n$/);
    const json = JSON.parse(renderJson([result])) as { summary: unknown; files: FileResult[] };
    assert.deepEqual(json.summary, summary);
    assert.equal(json.files[0]?.cases[1]?.mismatches[0]?.field, "status");
  });

  it("signs tokens from claims for the issuers it plays: validate-jwt accepts them or says why not", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const foreign = await new SignJWT({ aud: "api://orders", roles: ["Orders.Read"] })
      .setProtectedHeader({ alg: "RS256", kid: "elsewhere" })
      .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
      .setExpirationTime("1h")
      .sign(privateKey);
    const token = (claims: string, extra = "") => `{ claims: ${claims}${extra} }`;
    const result = await run({
      "jwt.yaml": `
api: { path: orders }
${ISSUER}
policies: { api: jwt.xml }
cases:
  - name: valid
    request: { token: ${token('{ aud: "api://orders", roles: [Orders.Read] }')} }
    expect: { status: 200, backendCalled: true, lastError: null, variables: { jwt: /./ } }
  - name: expired
    request: { token: ${token('{ aud: "api://orders", roles: [Orders.Read] }', ", expiresIn: -600")} }
    expect:
      status: 401
      json: { statusCode: 401, message: Unauthorized }
      backendCalled: false
      lastError: { source: validate-jwt, reason: TokenExpired, section: inbound, scope: api }
  - name: other audience
    request: { token: ${token('{ aud: "api://billing", roles: [Orders.Read] }')} }
    expect: { status: 401, lastError: { reason: TokenAudienceNotAllowed } }
  - name: without the role
    request: { token: ${token('{ aud: "api://orders", roles: [Orders.Write] }')} }
    expect: { status: 401, lastError: { reason: TokenClaimValueNotAllowed } }
  - name: a null claim is left out
    request: { token: ${token('{ aud: "api://orders", roles: [Orders.Read], exp: null }')} }
    expect: { status: 401, lastError: { reason: JwtInvalid, message: /missing an Expiration Time/ } }
  - name: no token
    expect: { status: 401, lastError: { reason: TokenNotPresent } }
  - name: a real token is checked as written
    request: { token: "${foreign}" }
    expect: { status: 401, lastError: { source: validate-jwt, reason: /^TokenSignature/ } }
`,
      "jwt.xml": JWT_POLICY,
    });
    assertAllPassed(result);
  });

  it("an openid-config it does not play fails the signature check with a hint", async () => {
    const result = await run({
      "unplayed.yaml": `
${ISSUER}
policies:
  api: |
    <policies><inbound><validate-jwt header-name="Authorization">
      <openid-config url="https://idp.example/.well-known/openid-configuration" />
    </validate-jwt></inbound></policies>
cases:
  - name: refused
    request: { token: { claims: { sub: x } } }
    expect: { status: 401, lastError: { reason: TokenSignatureKeyNotFound, message: "/https://idp.example/.well-known/openid-configuration is not available offline/" } }
`,
    });
    assertAllPassed(result);
  });

  it("plays Entra ID for a tenant, for validate-azure-ad-token", async () => {
    const client = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
    const result = await run({
      "aad.yaml": `
${ISSUER}
policies:
  api: |
    <policies><inbound><validate-azure-ad-token tenant-id="${TENANT}">
      <client-application-ids><application-id>${client}</application-id></client-application-ids>
      <audiences><audience>api://orders</audience></audiences>
    </validate-azure-ad-token></inbound></policies>
cases:
  - name: the client application is allowed
    request: { token: { claims: { aud: "api://orders", azp: "${client}" } } }
    expect: { status: 200, lastError: null }
  - name: another client application is not
    request: { token: { claims: { aud: "api://orders", azp: "11111111-2222-3333-4444-555555555555" } } }
    expect: { status: 401, lastError: { source: validate-azure-ad-token, reason: TokenClaimValueNotAllowed } }
  - name: a v1.0 token of the tenant
    request: { token: { claims: { aud: "api://orders", appid: "${client}", iss: "https://sts.windows.net/${TENANT}/", ver: "1.0" } } }
    expect: { status: 200 }
  - name: an HMAC-signed token is not one of the tenant's
    request: { token: { claims: { aud: "api://orders", azp: "${client}" }, signingKey: c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0 } }
    expect: { status: 401, lastError: { reason: /^TokenSignature/ } }
`,
    });
    assertAllPassed(result);
  });

  it("shows where forward-request would go: backend entities, credentials, rewritten paths and queries", async () => {
    const result = await run({
      "backend.yaml": `
api: { name: users, path: users, serviceUrl: null }
operations:
  - name: get-user
    method: GET
    urlTemplate: "/users/{id}"
    policy: |
      <policies>
        <inbound>
          <base />
          <rewrite-uri template="/v2/people/{id}" />
          <set-query-parameter name="api-version" exists-action="override"><value>2024-01-01</value></set-query-parameter>
        </inbound>
      </policies>
  - { name: delete-user, method: DELETE, urlTemplate: "/users/{id}" }
namedValues: { functions-key: k-123 }
backends:
  - name: people
    url: "https://people.internal/api"
    credentials: { header: { x-functions-key: ["{{functions-key}}"] }, query: { code: [abc] } }
policies:
  api: |
    <policies>
      <inbound><base /><set-backend-service backend-id="people" /><set-variable name="tier" value="gold" /></inbound>
    </policies>
cases:
  - name: a rewritten GET
    request: { path: "/users/users/5?expand=all", headers: { Accept: application/json } }
    backend: { json: { id: 5 } }
    expect:
      status: 200
      headers: { Content-Type: application/json }
      json: { id: 5 }
      variables: { tier: gold, missing: null }
      backendUrl: "https://people.internal/api/v2/people/5?expand=all&api-version=2024-01-01&code=abc"
      backendRequest:
        headers: { x-functions-key: k-123, Accept: application/json, X-Forwarded-Proto: https, X-Forwarded-For: 127.0.0.1 }
  - name: a DELETE keeps its path
    request: { method: DELETE, path: /users/users/5, ipAddress: 10.0.0.7, json: { reason: gone } }
    expect:
      backendUrl: "https://people.internal/api/users/5?code=abc"
      backendRequest: { method: DELETE, json: { reason: gone }, headers: { Content-Type: application/json, X-Forwarded-For: 10.0.0.7 } }
  - name: no operation matches
    request: { method: POST, path: /users/users/5 }
    expect: { status: 404, backendCalled: false }
  - name: a wrong expectation shows why the status differs
    request: { method: PUT, path: /users/users/5 }
    expect: { status: 200 }
`,
    });
    const last = byName(result, "a wrong expectation shows why the status differs");
    assert.deepEqual(last.mismatches, [
      { field: "status", expected: "200", actual: "404 (no operation of the API matches PUT /users/users/5)" },
    ]);
    assertAllPassed({ ...result, cases: result.cases.filter((c) => c !== last) });
  });

  it("routes and forwards the canonical path, as the gateway does, and refuses what the gateway refuses", async () => {
    const result = await run({
      "paths.yaml": `
api: { name: files, path: files, serviceUrl: "https://backend.example/base" }
operations:
  - { name: public, method: GET, urlTemplate: "/public/*" }
  - name: admin
    method: GET
    urlTemplate: "/admin/*"
    policy: |
      <policies><inbound><base /><return-response><set-status code="403" reason="Forbidden" /></return-response></inbound></policies>
cases:
  - name: dot segments are resolved before routing
    request: { path: "/files/public/%2e%2e/admin/secret" }
    expect: { status: 403, backendCalled: false }
  - name: the backend gets the canonical path
    request: { path: "/files/public/./a/%7e/../b#/../../admin" }
    expect: { status: 200, backendUrl: "https://backend.example/base/public/a/b" }
  - name: an encoded slash is refused
    request: { path: "/files/public/..%2Fadmin/secret" }
    expect:
      status: 400
      json: { statusCode: 400, message: "The URL path holds an encoded '/' (%2F)." }
      backendCalled: false
`,
    });
    assertAllPassed(result);
  });

  it("repeats a request with counters shared by the file's cases in order", async () => {
    const result = await run({
      "limits.yaml": `
policies:
  api: |
    <policies><inbound><base /><rate-limit-by-key calls="3" renewal-period="60" counter-key="caller" /></inbound></policies>
cases:
  - name: two calls are fine
    repeat: 2
    expectEach: { status: 200 }
  - name: the third is the last allowed
    expect: { status: 200 }
  - name: then the limit holds
    repeat: 2
    expectEach: { status: 429, headers: { Retry-After: /^\\d+$/ }, lastError: { source: rate-limit-by-key, reason: RateLimitExceeded } }
    expect: { json: { statusCode: 429 } }
  - name: a failing run is named
    repeat: 3
    expectEach: { status: 200 }
`,
    });
    const failing = byName(result, "a failing run is named");
    assert.equal(failing.failedRun, 1);
    assert.match(
      renderTable([result]),
      /a failing run is named \(×3\)\s+FAIL\s+run 1: status: expected 200, got 429 \(rate-limit-by-key RateLimitExceeded/,
    );
    assertAllPassed({ ...result, cases: result.cases.filter((c) => c !== failing) });
  });

  it("checks subscription keys as the gateway does and runs the product's policy under a product", async () => {
    const result = await run({
      "keys.yaml": `
api: { name: orders, path: orders, subscriptionRequired: true }
products: [{ name: starter }]
subscriptions:
  - { name: ci, product: starter, primaryKey: ci-key }
policies:
  product: |
    <policies><inbound><base /><set-header name="X-Product" exists-action="override"><value>starter</value></set-header></inbound></policies>
cases:
  - name: no key
    request: { path: /orders }
    expect: { status: 401, headers: { WWW-Authenticate: /AzureApiManagementKey/ }, lastError: { source: authorization, reason: SubscriptionKeyNotFound } }
  - name: the subscription's key is sent and the product's policy runs
    request: { path: /orders, subscription: ci }
    expect: { status: 200, backendRequest: { headers: { Ocp-Apim-Subscription-Key: ci-key, X-Product: starter } } }
  - name: a key sent by hand wins
    request: { path: /orders, subscription: ci, headers: { Ocp-Apim-Subscription-Key: wrong } }
    expect: { status: 401, lastError: { reason: SubscriptionKeyInvalid } }
  - name: an all-APIs subscription has no product
    request: { path: /orders, subscription: { name: all, scope: /apis } }
    expect: { status: 200, backendRequest: { headers: { X-Product: null, Ocp-Apim-Subscription-Key: all-primary-key } } }
`,
    });
    assertAllPassed(result);
  });

  it("answers send-request from the case's sendRequests, and fails one it has no answer for", async () => {
    const result = await run({
      "send.yaml": `
policies:
  api: |
    <policies><inbound><base />
      <send-request mode="new" response-variable-name="introspection">
        <set-url>https://auth.example/introspect</set-url>
        <set-method>POST</set-method>
      </send-request>
    </inbound></policies>
cases:
  - name: answered
    sendRequests: [{ url: /introspect$/, method: POST, json: { active: true } }]
    expect: { status: 200, variables: { introspection: /./ } }
  - name: not answered
    expect: { status: 500, lastError: { source: send-request, reason: BackendConnectionFailure, message: /not answered offline/ } }
`,
    });
    assertAllPassed(result);
  });
});

describe("policy test files that cannot be run", () => {
  const problemOf = async (files: Record<string, string>) => {
    const result = await run(files);
    assert.equal(exitCode(summarize([result])), 2);
    assert.deepEqual(result.cases, []);
    return result.problem ?? "";
  };

  it("a policy file that does not load: its file, line and column", async () => {
    const problem = await problemOf({
      "bad-file.yaml": "policies: { api: bad.xml }\ncases: [{ name: x, expect: { status: 200 } }]\n",
      "bad.xml":
        '<policies>\n  <inbound>\n    <set-header name="X" exists-action="sometimes" />\n  </inbound>\n</policies>\n',
    });
    assert.match(problem, /bad\.xml:3:26: Attribute 'exists-action' must be one of/);
  });

  it("inline XML: the position in the case file", async () => {
    const problem = await problemOf({
      "inline.yaml": `policies:
  api: |
    <policies>
      <inbound>
        <set-header name="X" exists-action="sometimes" />
      </inbound>
    </policies>
cases: [{ name: x, expect: { status: 200 } }]
`,
    });
    assert.match(problem, /inline\.yaml:5:30: Attribute 'exists-action' must be one of/);
  });

  it("a one-line inline document: the column in the case file", async () => {
    const problem = await problemOf({
      "one-line.yaml": `policies: { api: "<policies><outbound><unknown-thing /></outbound></policies>" }
cases: [{ name: x, expect: { status: 200 } }]
`,
    });
    assert.match(problem, /one-line\.yaml:1:39: 'unknown-thing' is not a known policy/);
  });

  it("the case file itself: YAML and schema errors at their position, missing files", async () => {
    assert.match(
      await problemOf({ "schema.yaml": "cases:\n  - name: x\n    expect: { status: ok }\n" }),
      /schema\.yaml:3:23: cases\[0\]\.expect\.status: /,
    );
    assert.match(
      await problemOf({ "regex.yaml": 'cases:\n  - name: x\n    expect: { body: "/(/" }\n' }),
      /regex\.yaml:3:21: cases\[0\]\.expect\.body: .*not a valid regular expression/,
    );
    assert.match(await problemOf({ "syntax.yaml": "cases: [\n" }), /syntax\.yaml:\d+:\d+: /);
    assert.match(
      await problemOf({ "missing.yaml": "policies: { api: nowhere.xml }\ncases: [{ name: x, expect: {} }]\n" }),
      /missing\.yaml:1:18: cannot read the policy file .*nowhere\.xml \(ENOENT\)/,
    );
    assert.match(
      await problemOf({ "ref.yaml": "cases: [{ name: x, request: { subscription: ghost }, expect: {} }]\n" }),
      /ref\.yaml:1:45: subscription 'ghost' is not listed under subscriptions/,
    );
    const result = await runCaseFile(`${folder.path}/does-not-exist.yaml`);
    assert.match(result.problem ?? "", /does-not-exist\.yaml: cannot read the file \(ENOENT\)/);
  });
});
