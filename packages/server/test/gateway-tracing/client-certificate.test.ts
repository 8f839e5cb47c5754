import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rootCertificates } from "node:tls";
import { Agent, request } from "undici";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";
import { createTestCa, selfSigned, type Issued, type TestCa } from "./test-ca.js";

/** The gateway listens on HTTPS (the local CA's certificate) and is told to trust the test CA for client certificates. */
describe("validate-client-certificate on the HTTPS gateway", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let ca: TestCa;
  let intermediate: TestCa;
  let client: Issued;
  let viaIntermediate: Issued;
  let other: Issued;
  let untrusted: Issued;
  const agents: Agent[] = [];
  const caFile = join(tmpdir(), `gatehouse-test-client-ca-${process.pid}.pem`);

  before(async () => {
    ca = await createTestCa();
    intermediate = await ca.issue({ subject: "CN=Gatehouse Test Issuing CA", ca: true });
    client = await ca.issue({ subject: "CN=client1, O=Contoso" });
    viaIntermediate = await intermediate.issue({ subject: "CN=client3, O=Contoso" });
    other = await ca.issue({ subject: "CN=client2, O=Contoso" });
    untrusted = await selfSigned("CN=client1, O=Contoso");
    await writeFile(caFile, ca.cert);
    const policy = `<policies><inbound><base /><validate-client-certificate><identities><identity thumbprint="${client.thumbprint}" /><identity issuer-subject="CN=Gatehouse Test Issuing CA" /></identities></validate-client-certificate></inbound></policies>`;
    test = await startGatewayTest(
      (backends) =>
        `gateway:\n  apis:\n${apiYaml("mtls", backends.echoUrl, ["subscriptionRequired: false", `policy: '${policy}'`])}`,
      { env: { NODE_EXTRA_CA_CERTS: caFile } },
    );
    gh = test.gh;
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await test.stop();
    await rm(caFile, { force: true });
  });

  /** A GET to the API over TLS, presenting `certificate` (and the chain after it) when given. */
  async function get(certificate?: { cert: string; key: string }, chain: string[] = []) {
    const localCa = readFileSync(gh.caPath as string, "utf8");
    const agent = new Agent({
      connect: {
        ca: [...rootCertificates, localCa],
        ...(certificate ? { cert: [certificate.cert, ...chain].join("\n"), key: certificate.key } : {}),
      },
    });
    agents.push(agent);
    const response = await request(`${gh.gatewayUrl}/mtls/x`, { dispatcher: agent });
    return { status: response.statusCode, text: await response.body.text() };
  }

  it("lets in a certificate the trusted CA issued with an allowed thumbprint", async () => {
    const reply = await get(client);
    assert.equal(reply.status, 200, reply.text);
  });

  it("lets in a certificate issued through an intermediate the client presents", async () => {
    assert.equal((await get(viaIntermediate, [intermediate.cert])).status, 200);
    assert.equal((await get(viaIntermediate)).status, 401, "without the intermediate there is no chain to the CA");
  });

  it("refuses no certificate, another thumbprint, and an untrusted certificate, with 401", async () => {
    const none = await get();
    assert.equal(none.status, 401);
    assert.equal(none.text, '{ "statusCode": 401, "message": "Client certificate not present." }');
    for (const refused of [other, untrusted]) {
      const reply = await get(refused);
      assert.equal(reply.status, 401);
      assert.equal(reply.text, '{ "statusCode": 401, "message": "Invalid client certificate." }');
    }
  });
});
