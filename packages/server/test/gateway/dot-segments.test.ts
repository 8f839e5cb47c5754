import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, beforeEach, describe, it } from "node:test";
import fc from "fast-check";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";
import { validateJwtElement } from "../helpers/gateway.js";
import { policies } from "../gateway-policy/helpers.js";
import { rawTarget, type RawResponse } from "../helpers/raw-http.js";

/** What the backend received: the request line's target, as sent, and the operation whose policies ran. */
interface Received {
  target: string;
  operation: string | undefined;
}

/** A GET on the gateway through a raw socket (see rawRequest). */
const rawGet = (port: number, target: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
  rawTarget(port, "GET", target, { headers });

/** A document that names its operation in a header the backend reads, after the operation's own inbound steps. */
const naming = (operation: string, inbound = "") =>
  policies({
    inbound: `<base />${inbound}<set-header name="X-Operation" exists-action="override"><value>${operation}</value></set-header>`,
    backend: "<base />",
    outbound: "<base />",
    onError: "<base />",
  });

const operations = [
  ["public", "/public/*"],
  ["admin", "/admin/*"],
  ["item", "/items/{id}"],
  ["mirror", "/mirror/{*rest}"],
  ["lookup", "/lookup?name={name}"],
  ["tenant", "/tenant"],
] as const;

const api = (name: string, serviceUrl: string) =>
  [
    `    - name: ${name}`,
    `      displayName: ${name}`,
    `      path: ${name}`,
    `      serviceUrl: ${serviceUrl}`,
    "      subscriptionRequired: false",
    "      protocols: [http, https]",
    "      operations:",
    ...operations.map(
      ([op, template]) => `        - { name: ${op}, displayName: ${op}, method: GET, urlTemplate: "${template}" }`,
    ),
    "",
  ].join("\n");

/**
 * The issue's finding 1: an open `GET /public/*` next to `GET /admin/*` that requires validate-jwt, behind a backend
 * that records every request line. No spelling of a path may reach the backend outside the API's base path, or reach
 * it through an operation other than the one the backend path names.
 */
describe("dot segments and the canonical request path", () => {
  let gh: TestGatehouse;
  let backend: Server;
  let received: Received[] = [];
  /** context.Request.OriginalUrl as the public operation's policy saw it. */
  let originals: string[] = [];
  let port: number;
  let token: string;

  before(async () => {
    backend = createServer((req, res) => {
      received.push({ target: req.url ?? "", operation: req.headers["x-operation"] as string | undefined });
      const original = req.headers["x-original-url"];
      if (typeof original === "string") originals.push(original);
      res.end("ok");
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    const backendPort = (backend.address() as { port: number }).port;
    const base = `http://127.0.0.1:${backendPort}`;
    gh = await startTestGatehouse({
      config: `${EXAMPLE_CONFIG}gateway:\n  apis:\n${api("probe", `${base}/base`)}${api("other", `${base}/other-base`)}`,
      overrides: { tls: { mode: "insecure" } },
    });
    const openIdConfig = `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0/.well-known/openid-configuration`;
    const documents: Record<string, string> = {
      public: naming(
        "public",
        `<set-header name="X-Original-Url" exists-action="override"><value>@(context.Request.OriginalUrl.ToString())</value></set-header>`,
      ),
      admin: naming("admin", validateJwtElement(openIdConfig, EXAMPLE.resourceAppId)),
      item: naming("item"),
      mirror: naming("mirror", `<rewrite-uri template="/public/{rest}" />`),
      lookup: naming("lookup", `<rewrite-uri template="/public/{name}" copy-unmatched-params="false" />`),
      tenant: naming(
        "tenant",
        `<set-backend-service base-url="@(&quot;${base}/base/tenants/&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-tenant&quot;, &quot;&quot;))" />`,
      ),
    };
    for (const apiName of ["probe", "other"]) {
      for (const [operation, xml] of Object.entries(documents)) {
        await gh.gateway.policies.put({ kind: "operation", api: apiName, operation }, xml);
      }
    }
    await gh.reloadGateway();
    port = Number(new URL(gh.gatewayUrl).port);
    const res = await gh.postForm(gh.tokenUrl(), exampleTokenForm());
    token = (res.body as { access_token: string }).access_token;
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => backend.close(resolve));
  });
  beforeEach(() => {
    received = [];
    originals = [];
  });

  const assertRefused = (reply: RawResponse, message: string) => {
    assert.equal(reply.status, 400, reply.body);
    assert.equal(reply.body, `{ "statusCode": 400, "message": ${JSON.stringify(message)} }`);
  };

  it("routes the baseline: the open operation forwards, the protected one wants a token", async () => {
    assert.equal((await rawGet(port, "/probe/public/a")).status, 200);
    assert.equal((await rawGet(port, "/probe/admin/secret")).status, 401);
    const authorised = await rawGet(port, "/probe/admin/secret", { Authorization: `Bearer ${token}` });
    assert.equal(authorised.status, 200, authorised.body);
    assert.deepEqual(received, [
      { target: "/base/public/a", operation: "public" },
      { target: "/base/admin/secret", operation: "admin" },
    ]);
  });

  it("resolves every dot-segment spelling of the issue before routing, so /admin's validate-jwt runs", async () => {
    for (const variant of ["..", "%2e%2e", "%2E%2E", ".%2e", "%2E.", "./..", "/..", "x/../.."]) {
      const target = `/probe/public/${variant}/admin/secret`;
      const reply = await rawGet(port, target);
      assert.equal(reply.status, 401, `${target}: ${reply.body}`);
    }
    assert.deepEqual(received, [], "the backend got nothing");
    const authorised = await rawGet(port, "/probe/public/%2e%2e/admin/secret", { Authorization: `Bearer ${token}` });
    assert.equal(authorised.status, 200, authorised.body);
    assert.deepEqual(received, [{ target: "/base/admin/secret", operation: "admin" }]);
  });

  it("refuses a backslash, an encoded '/', a control character and '..;' with APIM's 400", async () => {
    const cases: [string, string][] = [
      ["/probe/public/..\\admin/secret", "The URL path holds a backslash (\\)."],
      ["/probe/public/..%5Cadmin/secret", "The URL path holds a backslash (%5C)."],
      ["/probe/public/..%2Fadmin/secret", "The URL path holds an encoded '/' (%2F)."],
      ["/probe/public/x%00/../../admin/secret", "The URL path holds a control character."],
      ["/probe/public/..;/admin/secret", "The URL path holds a dot segment with parameters ('..;')."],
      ["/probe/public/%zz", "The URL path holds a malformed percent-encoding."],
    ];
    for (const [target, message] of cases) assertRefused(await rawGet(port, target), message);
    assert.deepEqual(received, []);
  });

  it("refuses a path that climbs above its root or above the root of the API it reaches", async () => {
    assertRefused(
      await rawGet(port, "/probe/public/../../../base/admin"),
      "The URL path climbs above its root ('..').",
    );
    // /probe/../other/public/a would run other's public operation on a path that climbed out of probe.
    assertRefused(
      await rawGet(port, "/probe/../other/public/a"),
      "The URL path climbs above the root of its API ('..').",
    );
    // Climbing out of the API's path never leaves the backend base path either: the path is /x, which no API holds.
    assert.equal((await rawGet(port, "/probe/public/../../x")).status, 404);
    assert.deepEqual(received, []);
  });

  it("forwards the canonical path: unreserved escapes decoded, others upper-case, no fragment", async () => {
    assert.equal((await rawGet(port, "/probe/public/%7e%61b/c%3a%e2%82%ac#/../../admin")).status, 200);
    assert.equal((await rawGet(port, "http://localhost/probe/public/x/./y/..?q=1#frag")).status, 200);
    assert.deepEqual(received, [
      { target: "/base/public/~ab/c%3A%E2%82%AC", operation: "public" },
      { target: "/base/public/x/?q=1", operation: "public" },
    ]);
    // OriginalUrl is the client's URL in the same canonical form: a policy reading it sees what routing saw.
    assert.deepEqual(originals, [
      `http://localhost/probe/public/~ab/c%3A%E2%82%AC`,
      `http://localhost/probe/public/x/?q=1`,
    ]);
  });

  it("refuses a Host header that is not a host and port with a 400, not a 500", async () => {
    for (const host of ["a b", "[::zz]", "gateway:99999", "user@gateway", "gateway/x", "ex%61mple"]) {
      assertRefused(
        await rawGet(port, "/probe/public/a", { Host: host }),
        "The Host header is not a valid host and port.",
      );
    }
    assert.equal((await rawGet(port, "/probe/public/a", { Host: "[::1]:8080" })).status, 200);
    assert.deepEqual(originals, ["http://[::1]:8080/probe/public/a"]);
  });

  it("encodes rewrite-uri parameters as segments and puts the result through the same rule", async () => {
    assert.equal((await rawGet(port, "/probe/mirror/a/b%20c")).status, 200);
    assert.equal((await rawGet(port, "/probe/lookup?name=a%20b")).status, 200);
    // A value holding '/' would be an encoded '/' in the path; '..' climbs above the backend's base path.
    const slash = await rawGet(port, "/probe/lookup?name=..%2F..%2Fadmin%2Fsecret");
    assertRefused(slash, "The URL path holds an encoded '/' (%2F).");
    assert.equal((await rawGet(port, "/probe/lookup?name=..")).status, 200);
    assert.deepEqual(received, [
      { target: "/base/public/a/b%20c", operation: "mirror" },
      { target: "/base/public/a%20b", operation: "lookup" },
      { target: "/base/", operation: "lookup" },
    ]);
  });

  it("puts a set-backend-service base URL built from request data through the same rule", async () => {
    assert.equal((await rawGet(port, "/probe/tenant", { "x-tenant": "t1/../t2" })).status, 200);
    assertRefused(
      await rawGet(port, "/probe/tenant", { "x-tenant": "../../../admin" }),
      "The URL path climbs above its root ('..').",
    );
    assert.deepEqual(received, [{ target: "/base/tenants/t2/tenant", operation: "tenant" }]);
  });

  it("never lets a generated path reach the backend outside the API's base path or past the wrong policies", async () => {
    const segment = fc.constantFrom(
      "..",
      ".",
      "%2e%2e",
      ".%2e",
      "%2E.",
      "%2e",
      "",
      "\\",
      "..\\",
      "%5c",
      "%2f",
      "%00",
      "..;",
      "a",
      "b%20c",
      "admin",
      "ADMIN",
      "%61dmin",
      "public",
      "%70ublic",
      "items",
      "mirror",
      "probe",
      "other",
      "base",
      "%252e%252e",
    );
    const path = fc.tuple(fc.constantFrom("/probe/", "/other/", "/"), fc.array(segment, { maxLength: 7 }));
    await fc.assert(
      fc.asyncProperty(path, fc.constantFrom("", "?name=..", "#/../admin"), async ([start, segments], suffix) => {
        received = [];
        const target = `${start}${segments.join("/")}${suffix}`;
        const reply = await rawGet(port, target);
        assert.ok([200, 400, 401, 404].includes(reply.status), `${target}: ${reply.status} ${reply.body}`);
        if (reply.status !== 200) {
          assert.deepEqual(received, [], `${target} was refused (${reply.status}) yet forwarded`);
          return;
        }
        assert.equal(received.length, 1, target);
        const [{ target: seen, operation } = { target: "", operation: undefined }] = received;
        const [pathPart = ""] = seen.split("?");
        const baseMatch = /^\/(base|other-base)(\/.*)$/.exec(pathPart);
        assert.ok(baseMatch, `${target} reached ${seen}, outside the API's base path`);
        const relative = (baseMatch[2] as string).split("/").slice(1);
        // What a backend that decodes and resolves dot segments would make of it: nothing left to resolve.
        for (const part of relative) {
          const decoded = decodeURIComponent(part);
          assert.ok(decoded !== "." && decoded !== ".." && !/[/\\\0]/.test(decoded), `${target} → ${seen}`);
        }
        assert.notEqual(operation, "admin", `${target} reached the protected operation without a token`);
        const expected = operation === "mirror" || operation === "lookup" ? "public" : (operation ?? "");
        const first = decodeURIComponent(relative[0] ?? "").toLowerCase();
        assert.equal(first === "items" ? "item" : first, expected, `${target} → ${seen} ran ${operation}`);
      }),
      { numRuns: 300 },
    );
  });
});
