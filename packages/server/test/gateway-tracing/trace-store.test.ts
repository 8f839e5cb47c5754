import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { masterKeyFromBytes } from "../../src/crypto/master-key.js";
import { ApiTracingSettings, ApiTracingView } from "../../src/gateway/tracing/api-tracing.js";
import { traceTrigger } from "../../src/gateway/tracing/gateway-tracing.js";
import { TraceSignatures } from "../../src/gateway/tracing/location.js";
import type { TraceDocument } from "../../src/gateway/tracing/recorder.js";
import { TraceStore } from "../../src/gateway/tracing/trace-store.js";
import type { Subscription } from "../../src/gateway/model/subscriptions/types.js";
import { Store } from "../../src/store/store.js";
import { databaseTargets } from "../helpers/databases.js";

const HOUR = 60 * 60 * 1000;

const trace = (id: string, api = "orders"): TraceDocument => ({
  id,
  api,
  operation: "get",
  trigger: "header",
  startedAt: new Date().toISOString(),
  request: { method: "GET", url: "https://localhost/orders", ipAddress: "127.0.0.1", headers: {} },
  steps: [],
  messages: [],
  response: { status: 200, reason: "OK", headers: {} },
  elapsedMs: 1.5,
});

for (const target of await databaseTargets()) {
  describe(`trace storage (${target.name})`, { skip: target.skip }, () => {
    let dataDir: string;
    let store: Store;
    let now = Date.parse("2030-01-01T00:00:00Z");
    const clock = () => now;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "gatehouse-traces-"));
      store = await Store.open(target.url(), dataDir);
      await store.db
        .insertInto("gateway_apis")
        .values({
          name: "orders",
          display_name: "Orders",
          description: null,
          path: "orders",
          path_key: "orders",
          service_url: null,
          protocols: '["https"]',
          api_type: "http",
          subscription_required: 1,
          key_header: "Ocp-Apim-Subscription-Key",
          key_query: "subscription-key",
        })
        .execute();
    });
    after(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("keeps a trace for an hour, then no longer returns it and prunes it", async () => {
      const traces = new TraceStore(store.db, { now: clock });
      const saved = trace("t-1");
      await traces.save(saved);
      assert.deepEqual(await traces.get("t-1"), saved);
      assert.equal(await traces.get("unknown"), undefined);
      now += HOUR + 1;
      assert.equal(await traces.get("t-1"), undefined);
      await traces.prune();
      assert.equal((await store.db.selectFrom("gateway_traces").select("id").execute()).length, 0);
    });

    it("keeps only the newest traces past the limit", async () => {
      const traces = new TraceStore(store.db, { now: clock, maxTraces: 3, pruneIntervalMs: 0 });
      for (let i = 0; i < 5; i++) {
        now += 1000;
        await traces.save(trace(`n-${i}`));
      }
      const ids = (await store.db.selectFrom("gateway_traces").select("id").orderBy("id").execute()).map((r) => r.id);
      assert.deepEqual(ids, ["n-2", "n-3", "n-4"]);
    });

    it("turns API tracing on until it expires, and off", async () => {
      const settings = new ApiTracingSettings(store.db, clock);
      await settings.enable("orders", now + 10 * 60 * 1000);
      assert.equal(await settings.expiresAt("orders"), now + 10 * 60 * 1000);
      const view = new ApiTracingView(settings, (error) => assert.fail(error), clock);
      await view.refresh();
      assert.equal(view.traces("orders"), true);
      assert.equal(view.traces("other"), false);
      now += 10 * 60 * 1000;
      assert.equal(view.traces("orders"), false, "expired, without waiting for a refresh");
      assert.equal(await settings.expiresAt("orders"), undefined);
      await settings.enable("orders", now + 1000);
      await settings.enable("orders", now + 2000);
      assert.equal(await settings.expiresAt("orders"), now + 2000, "enabling again replaces the expiry");
      await settings.disable("orders");
      await view.refresh();
      assert.equal(view.traces("orders"), false);
    });
  });
}

describe("trace links and the tracing decision", () => {
  const signatures = new TraceSignatures(masterKeyFromBytes(randomBytes(32)));

  it("signs a location that verifies until it expires, for that trace only", () => {
    const now = Date.now();
    const url = new URL(signatures.location("https://admin.example:9443/", "t-1", now + HOUR));
    assert.equal(url.origin + url.pathname, "https://admin.example:9443/gateway/traces/t-1");
    const expires = url.searchParams.get("expires") ?? "";
    const sig = url.searchParams.get("sig") ?? "";
    assert.equal(signatures.verify("t-1", expires, sig, now), true);
    assert.equal(signatures.verify("t-2", expires, sig, now), false);
    assert.equal(signatures.verify("t-1", expires, sig, now + HOUR + 1000), false);
    assert.equal(signatures.verify("t-1", String(Number(expires) + 1), sig, now), false);
    const otherKey = new TraceSignatures(masterKeyFromBytes(randomBytes(32)));
    assert.equal(otherKey.verify("t-1", expires, sig, now), false);
  });

  it("traces with Ocp-Apim-Trace: true and a subscription that allows it, or when the API is traced", () => {
    const allowing = { allowTracing: true } as Subscription;
    const notAllowing = { allowTracing: false } as Subscription;
    const none = { traces: () => false };
    const all = { traces: () => true };
    assert.equal(traceTrigger("true", allowing, none, "a"), "header");
    assert.equal(traceTrigger(" TRUE ", allowing, none, "a"), "header");
    assert.equal(traceTrigger("false", allowing, none, "a"), undefined);
    assert.equal(traceTrigger("true", notAllowing, none, "a"), undefined);
    assert.equal(traceTrigger("true", undefined, none, "a"), undefined);
    assert.equal(traceTrigger(undefined, allowing, none, "a"), undefined);
    assert.equal(traceTrigger(undefined, undefined, all, "a"), "api");
  });
});
