import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { fetchJson, type JsonResponse } from "../../src/util/https-fetch.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import { call, type GatewayTest } from "../helpers/gateway.js";
import { runNodeScript } from "../helpers/spawn-node.js";
import { msalToken } from "../gateway-entra/helpers.js";
import { arm, armProperties, startApplicationAccessTest } from "./helpers.js";

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PASSWORD = "Correct-Horse-9-Battery";

interface Snippets {
  product: string;
  api: string;
  tokenUrl: string;
  scope: string;
  url: string;
  curl: string;
  powershell: string;
  msalNode: string;
}

/** Runs a shell script with bash; bounded in time. */
function bash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The seed 003 walked with real clients only: the administrator turns on application access and registers a
 * client application for a developer, who signs in to the developer API, gets a secret, a token from MSAL and calls
 * the product's API through the gateway without a key.
 */
describe("a developer's client applications through the developer API", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let productAppId: string;
  let devToken: string;
  let secret: string;
  let clientId: string;

  const developer = (method: string, path: string, sas: string | undefined, body?: unknown): Promise<JsonResponse> =>
    fetchJson(
      `${gh.adminUrl}/developer${path}`,
      {
        method,
        headers: {
          ...(sas ? { authorization: `SharedAccessSignature ${sas}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      gh.caPath,
    );
  const signIn = async (email: string): Promise<string> => {
    const basic = Buffer.from(`${email}:${PASSWORD}`).toString("base64");
    const response = await fetchJson(
      `${gh.adminUrl}/developer/identity`,
      { method: "GET", headers: { authorization: `Basic ${basic}` } },
      gh.caPath,
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const header = response.headers.get("ocp-apim-sas-token") ?? "";
    const token = /token="([^"]+)"/.exec(header)?.[1];
    assert.ok(token, header);
    return token;
  };

  before(async () => {
    test = await startApplicationAccessTest();
    gh = test.gh;
  });
  after(() => test.stop());

  it("the administrator turns on application access and registers an application for a developer", async () => {
    const starter = await armProperties(gh, "PATCH", "/products/starter", 200, {
      properties: { authenticationType: ["application-token"] },
    });
    productAppId = (starter.application as { entra: { applicationId: string } }).entra.applicationId;
    await armProperties(gh, "PATCH", "/products/unlimited", 200, {
      properties: { authenticationType: ["application-token"] },
    });
    const policy = await arm(gh, "PUT", "/products/starter/policies/policy", {
      properties: {
        format: "rawxml",
        value: `<policies><inbound><base /><set-header name="X-Owner" exists-action="override"><value>@(context.User.Email)</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    for (const [id, email] of [
      ["dev", "dev@contoso.example"],
      ["other", "other@contoso.example"],
    ] as const) {
      await armProperties(gh, "PUT", `/users/${id}`, 201, {
        properties: { email, firstName: "Dev", lastName: id, password: PASSWORD },
      });
    }
    for (const [name, displayName] of [
      ["billing", "Billing"],
      ["reports", "Reports"],
    ]) {
      await armProperties(gh, "PUT", `/clientApplications/${name}`, 201, {
        properties: { displayName, description: `${displayName} daemon`, ownerId: "/users/dev" },
      });
    }
    const link = await arm(gh, "PUT", "/clientApplications/billing/productLinks/starter", {
      properties: { productId: "/products/starter" },
    });
    assert.equal(link.status, 201);
  });

  it("the developer lists their applications and reads one with its token URL and scopes", async () => {
    devToken = await signIn("dev@contoso.example");
    const list = await developer("GET", "/users/dev/clientApplications", devToken);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const page = list.body as { value: { name: string; entraApplicationId: string }[]; count: number };
    assert.deepEqual(
      page.value.map((a) => a.name),
      ["billing", "reports"],
    );
    const filtered = await developer("GET", "/users/dev/clientApplications?$filter=contains(name,'bill')", devToken);
    assert.deepEqual(
      (filtered.body as typeof page).value.map((a) => a.name),
      ["billing"],
    );
    const paged = await developer("GET", "/users/dev/clientApplications?$top=1&$skip=1", devToken);
    assert.deepEqual(
      (paged.body as typeof page).value.map((a) => a.name),
      ["reports"],
    );
    assert.equal((paged.body as typeof page).count, 2);

    const details = await developer("GET", "/users/dev/clientApplications/billing", devToken);
    assert.equal(details.status, 200);
    const app = details.body as Record<string, unknown>;
    clientId = app.entraApplicationId as string;
    assert.deepEqual(app, {
      id: "/users/dev/clientApplications/billing",
      name: "billing",
      displayName: "Billing",
      description: "Billing daemon",
      entraApplicationId: clientId,
      entraTenantId: EXAMPLE.tenantId,
      state: "approved",
      tokenUrl: `${gh.identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/token`,
      products: [{ id: "/products/starter", name: "starter", scope: `api://${productAppId}/.default` }],
    });

    const product = await developer("GET", "/products/starter", devToken);
    assert.deepEqual((product.body as Record<string, unknown>).applicationSettings, {
      entra: { applicationId: productAppId, audience: `api://${productAppId}` },
    });
    assert.deepEqual((product.body as Record<string, unknown>).authenticationType, ["application-token"]);

    const products = await developer("GET", "/users/dev/clientApplications/billing/products", devToken);
    assert.deepEqual((products.body as { value: unknown[] }).value, [
      {
        id: "/products/starter",
        name: "starter",
        displayName: "Starter",
        description: null,
        authenticationType: ["application-token"],
        applicationSettings: { entra: { applicationId: productAppId, audience: `api://${productAppId}` } },
        state: "approved",
      },
    ]);
  });

  it("gets a secret, a token from MSAL, and calls the product's API with no key, as itself", async () => {
    const listed = await developer("POST", "/users/dev/clientApplications/billing/listSecrets", devToken);
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get("cache-control"), "no-store");
    secret = (listed.body as { entra: { clientSecret: string } }).entra.clientSecret;

    const token = await msalToken(gh, clientId, secret, `api://${productAppId}/.default`);
    assert.ok(token.ok, JSON.stringify(token));
    const bearer = { authorization: `Bearer ${token.accessToken as string}` };
    const reply = await call(gh, `${gh.gatewayUrl}/echo/orders`, { headers: bearer });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json<{ headers: Record<string, string> }>().headers["x-owner"], "dev@contoso.example");
    // Product unlimited accepts tokens too, but not this application's.
    assert.equal((await call(gh, `${gh.gatewayUrl}/other/orders`, { headers: bearer })).status, 401);
  });

  it("runs the snippets it is given: curl and MSAL Node get a token and call the API", async () => {
    const response = await developer("GET", "/users/dev/clientApplications/billing/snippets", devToken);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const snippets = response.body as Snippets;
    assert.equal(snippets.url, `${gh.gatewayUrl}/echo/`);
    assert.equal(snippets.scope, `api://${productAppId}/.default`);
    assert.ok(!JSON.stringify(snippets).includes(secret), "the secret is never in a snippet");
    assert.match(snippets.powershell, /Invoke-RestMethod -Method Post -Uri '.+\/oauth2\/v2\.0\/token'/);

    const curl = await bash(snippets.curl, { CLIENT_SECRET: secret });
    assert.equal(curl.code, 0, curl.stderr);
    assert.equal((JSON.parse(curl.stdout) as { path: string }).path, "/");

    const dir = await mkdtemp(join(PACKAGE_DIR, ".snippet-"));
    try {
      const file = join(dir, "call-api.mjs");
      await writeFile(file, snippets.msalNode);
      const env: Record<string, string> = { CLIENT_SECRET: secret, NODE_EXTRA_CA_CERTS: gh.caPath as string };
      const msal = await runNodeScript(file, [], env, 30_000);
      assert.equal(msal.code, 0, msal.stderr);
      assert.match(msal.stdout, /^200 \{/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const unknown = await developer(
      "GET",
      "/users/dev/clientApplications/billing/snippets?product=unlimited",
      devToken,
    );
    assert.equal(unknown.status, 400);
    const none = await developer("GET", "/users/dev/clientApplications/reports/snippets", devToken);
    assert.equal(none.status, 400, "an application without products has nothing to call");
  });

  it("another developer sees none of it", async () => {
    const otherToken = await signIn("other@contoso.example");
    const mine = await developer("GET", "/users/other/clientApplications", otherToken);
    assert.deepEqual((mine.body as { value: unknown[] }).value, []);
    for (const path of [
      "/users/other/clientApplications/billing",
      "/users/other/clientApplications/billing/products",
      "/users/dev/clientApplications",
      "/users/dev/clientApplications/billing",
    ]) {
      assert.equal((await developer("GET", path, otherToken)).status, 404, path);
    }
    const secrets = await developer("POST", "/users/other/clientApplications/billing/listSecrets", otherToken);
    assert.equal(secrets.status, 404);
    assert.equal((await developer("GET", "/users/dev/clientApplications", undefined)).status, 401);
  });

  it("after the administrator deletes the application, no token can be had for it", async () => {
    assert.equal((await arm(gh, "DELETE", "/clientApplications/billing")).status, 200);
    const refused = await msalToken(gh, clientId, secret, `api://${productAppId}/.default`);
    assert.equal(refused.ok, false);
    const list = await developer("GET", "/users/dev/clientApplications", devToken);
    assert.deepEqual(
      (list.body as { value: { name: string }[] }).value.map((a) => a.name),
      ["reports"],
    );
  });
});
