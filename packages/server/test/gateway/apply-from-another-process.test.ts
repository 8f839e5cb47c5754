import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { openCore, type Core } from "../../src/server.js";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";

/**
 * A writer that is not the server (the CLI's `apply`, another node) shares only the database: the gateway notices the
 * new revision by polling (500 ms by default) and swaps in the recompiled configuration.
 */
describe("a configuration change made by another process", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let other: Core;

  before(async () => {
    test = await startGatewayTest(
      (backends) => `gateway:\n  apis:\n${apiYaml("echo", backends.echoUrl, ["subscriptionRequired: false"])}`,
      { overrides: { gatewayPollIntervalMs: 500 } },
    );
    gh = test.gh;
    other = await openCore(gh.dataDir, undefined);
  });
  after(async () => {
    await other.store.close();
    await test.stop();
  });

  it("reaches the gateway within a second, without a restart", async () => {
    assert.equal((await call(gh, `${gh.gatewayUrl}/echo/x`)).status, 200);
    await other.gateway.policies.put(
      { kind: "api", api: "echo" },
      `<policies><inbound><base /><return-response><set-status code="503" reason="Maintenance" /></return-response></inbound></policies>`,
    );
    const changedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - changedAt < 5000) {
      status = (await call(gh, `${gh.gatewayUrl}/echo/x`)).status;
      if (status === 200) await sleep(50);
    }
    const elapsed = Date.now() - changedAt;
    assert.equal(status, 503);
    // One poll interval plus the reload; the bound leaves room for a loaded machine.
    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
  });
});
