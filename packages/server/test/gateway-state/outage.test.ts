/**
 * When Redis stops, `gatehouse start --redis` keeps serving: fail-open policies let calls through, a fail-closed one
 * refuses, the log says Redis is unavailable; when it is back, counting resumes. A private redis-server is stopped,
 * never the machine's shared one.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startDemoBackends, type DemoBackends } from "../../src/demo/backends/index.js";
import { startCliServer, type CliServer } from "../helpers/cli-server.js";
import { apiYaml } from "../helpers/gateway.js";
import { freePort, PrivateRedis, privateRedisSkip } from "./redis.js";

const limited = (key: string, extra = "") =>
  `<policies><inbound><base /><rate-limit-by-key calls="3" renewal-period="60" counter-key="${key}" ${extra}/></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

describe("gatehouse start --redis when Redis stops and comes back", async () => {
  const skip = await privateRedisSkip();
  let redis: PrivateRedis;
  let backends: DemoBackends;
  let server: CliServer;
  let dataDir: string;
  const run = randomUUID();

  before(async () => {
    if (skip) return;
    redis = await PrivateRedis.start();
    backends = await startDemoBackends({ host: "127.0.0.1" });
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-redis-outage-"));
    const config = join(dataDir, "config.yaml");
    await writeFile(
      config,
      `gateway:\n  apis:\n${apiYaml("open", backends.echoUrl, ["subscriptionRequired: false", "protocols: [http]", `policy: '${limited(`${run}-open`)}'`])}${apiYaml(
        "closed",
        backends.echoUrl,
        [
          "subscriptionRequired: false",
          "protocols: [http]",
          `policy: '${limited(`${run}-closed`, `gatehouse-fail-open="false"`)}'`,
        ],
      )}`,
    );
    server = await startCliServer(dataDir, [
      "--config",
      config,
      "--gateway-port",
      String(await freePort()),
      "--redis",
      redis.url,
      "--redis-timeout",
      "2000",
      "--log-level",
      "info",
    ]);
  });

  after(async () => {
    if (skip) return;
    await server?.kill("SIGTERM");
    await redis?.stop();
    await backends?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const statuses = async (api: string, count: number) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await fetch(`${server.info.gatewayUrl}/${api}/x`)).status);
    return out;
  };

  it("limits while Redis answers", { skip }, async () => {
    assert.deepEqual(await statuses("open", 4), [200, 200, 200, 429]);
    assert.deepEqual(await statuses("closed", 4), [200, 200, 200, 429]);
  });

  it(
    "lets fail-open calls through and refuses fail-closed ones while Redis is down, and logs it",
    { skip },
    async () => {
      await redis.stop();
      assert.deepEqual(await statuses("open", 3), [200, 200, 200]);
      const refused = await fetch(`${server.info.gatewayUrl}/closed/x`);
      assert.equal(refused.status, 503);
      assert.equal(((await refused.json()) as { message: string }).message, "Service unavailable");
      assert.deepEqual(await statuses("closed", 2), [503, 503]);
      assert.match(server.output(), /Redis unavailable/);
    },
  );

  it("counts again once Redis is back on the same port", { skip }, async () => {
    await redis.start();
    // The client reconnects within a second or so; until then the fail-closed API still answers 503.
    let first = 503;
    for (let attempt = 0; attempt < 150 && first === 503; attempt++) {
      first = (await fetch(`${server.info.gatewayUrl}/closed/x`)).status;
      if (first === 503) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The restarted Redis kept nothing: a fresh window of three.
    assert.deepEqual([first, ...(await statuses("closed", 3))], [200, 200, 200, 429]);
    assert.deepEqual(await statuses("open", 4), [200, 200, 200, 429]);
    assert.match(server.output(), /Redis available again/);
  });
});
