import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSelfSignedCertificate } from "../../src/crypto/certificates.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse } from "../helpers/gatehouse.js";

const withCertificate = (reference: string) =>
  EXAMPLE_CONFIG.replace(
    "          grantAdminConsent: true\n",
    `          grantAdminConsent: true\n          keyCredentials:\n            - { displayName: ci, ${reference} }\n`,
  );

describe("certificates in the configuration", () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("registers a certificate from a file once, and re-applying changes nothing", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-keycred-"));
    dirs.push(dataDir);
    const cert = await createSelfSignedCertificate("ci-client", 30);
    await writeFile(join(dataDir, "client.pem"), cert.certificatePem);
    const config = withCertificate("certificateFile: client.pem");

    const first = await startTestGatehouse({ config, dataDir });
    const keys = await first.registry.read(
      async (repos) => (await repos.applications.getByAppId(EXAMPLE.clientAppId))?.keyCredentials ?? [],
    );
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.customKeyIdentifier, cert.certificate.thumbprints.sha1Hex);
    assert.equal(keys[0]?.displayName, "ci");
    await first.stop();

    const second = await startTestGatehouse({ config, dataDir });
    assert.deepEqual(second.applied?.changes, []);
    await second.stop();
  });

  it("names the application when a certificate is not one", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-keycred-bad-"));
    dirs.push(dataDir);
    await assert.rejects(
      startTestGatehouse({ config: withCertificate('key: "bm90IGEgY2VydGlmaWNhdGU="'), dataDir }),
      /application ClientApp: a keyCredential is not an X\.509 certificate/,
    );
  });
});
