import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { ensureLocalTls } from "../../src/tls/local-ca.js";
import { createTestCa, type Issued, type TestCa } from "../gateway-tracing/test-ca.js";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { call } from "../helpers/gateway.js";
import { pfxOf } from "../helpers/pfx.js";

const PASSWORD = "Client-Pfx-2031!";
const API = { kind: "api", api: "mtls" } as const;

const document = (inbound: string, backend = "<base />") =>
  `<policies><inbound><base />${inbound}</inbound><backend>${backend}</backend><outbound><base /></outbound>` +
  `<on-error><base /><set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header></on-error></policies>`;

/**
 * A backend that requires a client certificate its own CA issued (mutual TLS): the gateway presents the certificate
 * entity an authentication-certificate policy or the backend entity names, and the backend's refusal of any other
 * reaches the caller as API Management reports a failed backend connection.
 */
describe("authentication-certificate against a backend that requires a client certificate", () => {
  let gh: TestGatehouse;
  let backend: Server;
  let clientCa: TestCa;
  let client: Issued;
  let intruder: Issued;
  let url: string;

  before(async () => {
    gh = await startTestGatehouse();
    clientCa = await createTestCa("CN=Orders Client CA");
    client = await clientCa.issue({ subject: "CN=gateway-client, O=Contoso" });
    intruder = await (await createTestCa("CN=Someone Else's CA")).issue({ subject: "CN=intruder" });
    const tls = await ensureLocalTls(gh.dataDir, await loadMasterKey(gh.dataDir));
    backend = createServer(
      { cert: tls.cert, key: tls.key, ca: [clientCa.cert], requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ client: peer.subject?.CN ?? null, path: req.url }));
      },
    );
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    const backendUrl = `https://localhost:${(backend.address() as AddressInfo).port}`;
    const { gateway } = gh;
    await gateway.certificates.put("gateway-client", {
      data: pfxOf(client.key, client.cert, PASSWORD).toString("base64"),
      password: PASSWORD,
    });
    await gateway.certificates.put("intruder", { data: `${intruder.key}\n${intruder.cert}` });
    await gateway.certificates.put("jwt-signer", { data: client.cert });
    await gateway.namedValues.put("client-pfx", {
      value: pfxOf(client.key, client.cert, PASSWORD).toString("base64"),
      secret: true,
    });
    await gateway.namedValues.put("client-pfx-password", { value: PASSWORD, secret: true });
    await gateway.backends.put("orders-mtls", { url: backendUrl, credentials: { certificateIds: ["gateway-client"] } });
    await gateway.apis.put("mtls", {
      displayName: "mTLS",
      path: "mtls",
      serviceUrl: backendUrl,
      subscriptionRequired: false,
    });
    await gateway.operations.put("mtls", "get", { displayName: "Get", method: "GET", urlTemplate: "/*" });
    url = `${gh.gatewayUrl}/mtls/orders`;
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => backend.close(resolve));
  });

  async function callWith(xml: string, headers: Record<string, string> = {}) {
    await gh.gateway.policies.put(API, xml);
    await gh.reloadGateway();
    return call(gh, url, { headers });
  }

  it("without a certificate the backend refuses the handshake: 500, BackendConnectionFailure", async () => {
    const reply = await callWith(document(""));
    assert.equal(reply.status, 500, reply.text);
    assert.equal(reply.headers["x-reason"], "BackendConnectionFailure");
    const body = reply.json<{ statusCode: number; message: string; activityId: string }>();
    assert.equal(body.statusCode, 500);
    assert.equal(body.message, "Internal server error");
    assert.equal(typeof body.activityId, "string");
  });

  it("certificate-id: the backend sees the gateway's client certificate", async () => {
    const reply = await callWith(document(`<authentication-certificate certificate-id="gateway-client" />`));
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json(), { client: "gateway-client", path: "/orders" });
  });

  it("thumbprint: the certificate entity with that thumbprint", async () => {
    const reply = await callWith(
      document(`<authentication-certificate thumbprint="${client.thumbprint.toLowerCase()}" />`),
    );
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json<{ client: string }>().client, "gateway-client");
  });

  it("body and password: a PFX from a secret named value, as byte[]", async () => {
    const reply = await callWith(
      document(
        `<authentication-certificate body="@(Convert.FromBase64String(&quot;{{client-pfx}}&quot;))" password="{{client-pfx-password}}" />`,
      ),
    );
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json<{ client: string }>().client, "gateway-client");
  });

  it("the wrong certificate: the backend's refusal reaches the caller as a 500 BackendConnectionFailure", async () => {
    const reply = await callWith(document(`<authentication-certificate certificate-id="intruder" />`));
    assert.equal(reply.status, 500, reply.text);
    assert.equal(reply.headers["x-reason"], "BackendConnectionFailure");
    // Connections presenting one certificate are not reused for another: the right one still gets through.
    const again = await callWith(document(`<authentication-certificate certificate-id="gateway-client" />`));
    assert.equal(again.status, 200, again.text);
  });

  it("a backend entity with credentials.certificateIds presents its certificate on every request", async () => {
    const reply = await callWith(document(`<set-backend-service backend-id="orders-mtls" />`));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json<{ client: string }>().client, "gateway-client");
  });

  it("send-request with authentication-certificate inside", async () => {
    const backendUrl = `https://localhost:${(backend.address() as AddressInfo).port}`;
    const reply = await callWith(
      document(
        `<send-request mode="new" response-variable-name="r" timeout="10"><set-url>${backendUrl}/side</set-url>` +
          `<authentication-certificate certificate-id="gateway-client" /></send-request>` +
          `<return-response><set-status code="200" reason="OK" /><set-body>@(((IResponse)context.Variables["r"]).Body.As&lt;string&gt;())</set-body></return-response>`,
      ),
    );
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json(), { client: "gateway-client", path: "/side" });
  });

  it("validate-jwt's <key certificate-id>: the certificate's public key verifies an RS256 token", async () => {
    const sign = (key: string) =>
      new SignJWT({ sub: "partner" })
        .setProtectedHeader({ alg: "RS256" })
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(createPrivateKey(key));
    const xml = document(
      `<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="jwt-signer" /></issuer-signing-keys></validate-jwt>` +
        `<authentication-certificate certificate-id="gateway-client" />`,
    );
    const good = await callWith(xml, { Authorization: `Bearer ${await sign(client.key)}` });
    assert.equal(good.status, 200, good.text);
    const forged = await call(gh, url, { headers: { Authorization: `Bearer ${await sign(intruder.key)}` } });
    assert.equal(forged.status, 401, forged.text);
  });
});
