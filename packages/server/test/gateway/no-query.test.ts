import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EXAMPLE, EXAMPLE_CONFIG, exampleTokenForm, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, tamper, validateJwtPolicy, type GatewayTest } from "../helpers/gateway.js";

describe("gateway request path", () => {
  const queries: string[] = [];
  let test: GatewayTest;
  let gh: TestGatehouse;
  before(async () => {
    test = await startGatewayTest(
      (backends) => `${EXAMPLE_CONFIG}gateway:
  apis:
${apiYaml("echo", backends.echoUrl)}  products:
    - { name: starter, displayName: Starter, apis: [echo] }
  subscriptions:
    - { name: s1, displayName: S1, scope: /products/starter, primaryKey: "0123456789abcdef0123456789abcdef" }
`,
      // Long poll intervals, so the only queries in the window would come from the requests themselves.
      { overrides: { pollIntervalMs: 600_000, gatewayPollIntervalMs: 600_000, onQuery: (sql) => queries.push(sql) } },
    );
    gh = test.gh;
    await gh.gateway.policies.put(
      { kind: "api", api: "echo" },
      validateJwtPolicy(
        `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0/.well-known/openid-configuration`,
        EXAMPLE.resourceAppId,
      ),
    );
    await gh.reloadGateway();
  });
  after(() => test.stop());

  it("validates, routes, checks keys and forwards without a single database query", async () => {
    const token = ((await gh.postForm(gh.tokenUrl(), exampleTokenForm())).body as { access_token: string })
      .access_token;
    queries.length = 0;
    const key = "0123456789abcdef0123456789abcdef";
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(gh, `${gh.gatewayUrl}/echo/items/${i}`, {
          headers: {
            authorization: `Bearer ${i % 4 === 3 ? tamper(token) : token}`,
            ...(i % 10 === 9 ? {} : { "ocp-apim-subscription-key": key }),
          },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 28);
    assert.equal(statuses.filter((s) => s === 401).length, 12);
    assert.equal((await call(gh, `${gh.gatewayUrl}/unknown`)).status, 404);
    assert.deepEqual(queries, []);
  });
});
