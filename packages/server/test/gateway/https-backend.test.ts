import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { ensureLocalTls } from "../../src/tls/local-ca.js";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { call } from "../helpers/gateway.js";

/** A backend whose certificate the local Gatehouse CA issued: the forwarder trusts that CA out of the box. */
describe("forwarding to an HTTPS backend", () => {
  let gh: TestGatehouse;
  let backend: Server;

  before(async () => {
    gh = await startTestGatehouse();
    const tls = await ensureLocalTls(gh.dataDir, await loadMasterKey(gh.dataDir));
    backend = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end("over tls"));
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    await gh.gateway.apis.put("secure-backend", {
      displayName: "Secure backend",
      path: "secure-backend",
      serviceUrl: `https://localhost:${(backend.address() as AddressInfo).port}`,
      subscriptionRequired: false,
    });
    await gh.gateway.operations.put("secure-backend", "get", { displayName: "Get", method: "GET", urlTemplate: "/" });
    await gh.reloadGateway();
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => backend.close(resolve));
  });

  it("verifies the backend's certificate against the local CA", async () => {
    const reply = await call(gh, `${gh.gatewayUrl}/secure-backend`);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.text, "over tls");
  });
});
