import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";

describe("token path", () => {
  const queries: string[] = [];
  let gh: TestGatehouse;
  before(async () => {
    // A long poll interval, so the only queries in the window would come from the requests themselves.
    gh = await startTestGatehouse({
      config: EXAMPLE_CONFIG,
      overrides: { pollIntervalMs: 600_000, gatewayPollIntervalMs: 600_000, onQuery: (sql) => queries.push(sql) },
    });
  });
  after(() => gh.stop());

  it("issues tokens, rejects wrong secrets and serves discovery and JWKS without a single database query", async () => {
    assert.ok(queries.length > 0, "the observer sees the start-up queries");
    // The application sync's first pass (a background task, not the token path) reads at start: let it finish.
    await gh.syncApplications();
    queries.length = 0;
    const form = exampleTokenForm();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gh.postForm(
          gh.tokenUrl(i % 2 ? EXAMPLE.domain : EXAMPLE.tenantId),
          i % 5 ? form : { ...form, client_secret: "x".repeat(20) },
        ),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [
      ...Array<number>(40).fill(200),
      ...Array<number>(10).fill(401),
    ]);
    await gh.get(`${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0/.well-known/openid-configuration`);
    await gh.get(`${gh.identityUrl}/${EXAMPLE.tenantId}/discovery/v2.0/keys`);
    assert.deepEqual(queries, []);
  });
});
