/**
 * A rate limit holds across gateway processes sharing Redis (--gateway-workers 2 --redis): two workers, one counter,
 * the limit enforced in total rather than per process.
 */
import assert from "node:assert/strict";
import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { isWorkerMessage } from "../../src/gateway/workers/messages.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";
import { REDIS_URL, redisSkip } from "./redis.js";

/** The requests one worker has answered, from its own metrics (asked over the cluster channel, as /metrics does). */
function requestsServedBy(worker: Worker): Promise<number> {
  const id = 1_000_000 + worker.id;
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isWorkerMessage(message) || message.type !== "gatehouse:metrics" || message.id !== id) return;
      worker.off("message", onMessage);
      const requests = message.metrics.find((m) => m.name === "gatehouse_gateway_requests_total");
      resolve((requests?.values ?? []).reduce((sum, v) => sum + v.value, 0));
    };
    worker.on("message", onMessage);
    worker.send({ type: "gatehouse:metrics", id });
  });
}

describe("rate limits across gateway processes sharing Redis", async () => {
  const skip = await redisSkip();
  let test: GatewayTest;
  // A key of this run's own: the shared Redis keeps counters of earlier runs for a minute.
  const counterKey = `cluster-${randomUUID()}`;

  before(async () => {
    if (skip) return;
    const policy = `<policies><inbound><base /><rate-limit-by-key calls="20" renewal-period="60" counter-key="${counterKey}" gatehouse-fail-open="false" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    test = await startGatewayTest(
      (backends) =>
        `gateway:\n  apis:\n${apiYaml("limited", backends.echoUrl, ["subscriptionRequired: false", `policy: '${policy}'`])}`,
      // A generous timeout: on a loaded machine a slow answer must not count as an outage.
      { overrides: { gatewayWorkers: 2, redis: { url: REDIS_URL, commandTimeoutMs: 2000 } } },
    );
  });
  after(() => (skip ? undefined : test.stop()));

  it("lets exactly the limit through in total, whichever worker answers", { skip }, async () => {
    const { gh } = test;
    const workers = Object.values(cluster.workers ?? {}) as Worker[];
    assert.equal(workers.length, 2);
    const statuses: number[] = [];
    // A new connection for every request, so the cluster spreads them over both workers.
    for (let batch = 0; batch < 6; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(gh, `${gh.gatewayUrl}/limited/${batch * 10 + i}`, { headers: { connection: "close" } }),
        ),
      );
      statuses.push(...replies.map((r) => r.status));
    }
    assert.equal(statuses.filter((s) => s === 200).length, 20, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 40, JSON.stringify(statuses));
    const served = await Promise.all(workers.map(requestsServedBy));
    assert.ok(
      served.every((n) => n > 0),
      `both workers answered: ${served.join(" and ")} requests`,
    );
  });
});
