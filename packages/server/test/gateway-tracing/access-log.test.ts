/**
 * Finding 8 of the hardening issue: the admin access log recorded a trace link's `sig`, which reads the trace
 * without credentials until it expires. The listeners' logs now hide every credential query parameter: the link's
 * `sig` on the admin listener, `api_key` and the like on the gateway.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startCliServer } from "../helpers/cli-server.js";

const KEY = "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7";
const QUERY_SECRET = "query-api-key-in-the-url-8s9d0f";

const CONFIG = `gateway:
  apis:
    - name: answers
      displayName: Answers
      path: answers
      serviceUrl: http://127.0.0.1:9
      protocols: [http]
      policy: '<policies><inbound><return-response><set-status code="200" reason="OK" /></return-response></inbound><backend><base /></backend><outbound><base /></outbound></policies>'
      operations:
        - { name: any, displayName: Any, method: GET, urlTemplate: "/*" }
  subscriptions:
    - { name: s-trace, displayName: Tracing, scope: /apis, allowTracing: true, primaryKey: "${KEY}" }
`;

describe("access logs", () => {
  it("never record a trace link's sig, nor a credential query parameter of a gateway call", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-access-log-"));
    const config = join(dataDir, "config.yaml");
    await writeFile(config, CONFIG);
    const server = await startCliServer(dataDir, ["--config", config, "--gateway-port", "0", "--log-level", "info"]);
    try {
      const traced = await fetch(`${server.info.gatewayUrl}/answers/x?api_key=${QUERY_SECRET}&plain=visible`, {
        headers: { "ocp-apim-subscription-key": KEY, "ocp-apim-trace": "true" },
      });
      assert.equal(traced.status, 200);
      const location = traced.headers.get("ocp-apim-trace-location") ?? "";
      const sig = new URL(location).searchParams.get("sig") ?? "";
      assert.ok(sig.length > 20, location);
      let read: Response | undefined;
      for (let attempt = 0; attempt < 100 && read?.status !== 200; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        read = await fetch(location);
      }
      assert.equal(read?.status, 200, "the link reads the trace");

      await server.kill("SIGTERM");
      const output = server.output();
      assert.match(output, /\/gateway\/traces\/[\w-]+\?expires=\d+&sig=\*\*\*/, "the admin request was logged");
      assert.match(output, /\/answers\/x\?api_key=\*\*\*&plain=visible/, "the gateway request was logged");
      // The log lines only: the start banner lists the subscription keys the configuration created, on purpose.
      const log = output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .join("\n");
      assert.match(log, /sig=\*\*\*/);
      for (const secret of [sig, encodeURIComponent(sig), QUERY_SECRET, KEY]) {
        assert.ok(!log.includes(secret), `${secret} reached the log`);
      }
    } finally {
      await server.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
