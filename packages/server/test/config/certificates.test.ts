import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { databaseTargets } from "../helpers/databases.js";
import { openGateway, type GatewayFixture } from "../gateway-store/helpers.js";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import { reconcile } from "../../src/config/reconcile.js";
import { exportConfig } from "../../src/config/export.js";
import { Registry } from "../../src/identity/registry.js";
import type { Management } from "../../src/admin/management.js";
import { createTestCa, type Issued } from "../gateway-tracing/test-ca.js";
import { pfxOf } from "../helpers/pfx.js";

const targets = await databaseTargets();
const NO_MANAGEMENT = { tenantId: "none" } as Management;
const PASSWORD = "Yaml-Pfx-2031!";

const CONFIG = `
gateway:
  certificates:
    - { name: bank-client, file: certs/bank-client.pfx, password: "\${BANK_PFX_PASSWORD}" }
  backends:
    - name: bank
      url: https://bank.example/v2
      credentials: { certificateIds: [bank-client] }
  apis:
    - name: payments
      displayName: Payments
      path: payments
      serviceUrl: https://bank.example/v2
      policy: |
        <policies>
          <inbound><base /><authentication-certificate certificate-id="bank-client" /></inbound>
          <backend><base /></backend>
          <outbound><base /></outbound>
          <on-error><base /></on-error>
        </policies>
`;

for (const target of targets) {
  describe(`certificates in configuration files on ${target.name}`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    let registry: Registry;
    let dir: string;
    let client: Issued;
    let pfx: Buffer;
    const load = (text: string, env: NodeJS.ProcessEnv = { BANK_PFX_PASSWORD: PASSWORD }): LoadedConfig => ({
      config: parseConfig(text, "gateway.yaml", env),
      baseDir: dir,
    });

    before(async () => {
      f = await openGateway(target);
      registry = new Registry(f.store, f.masterKey.derive("client-secret-pepper"));
      dir = await mkdtemp(join(tmpdir(), "gatehouse-certificates-config-"));
      client = await (await createTestCa()).issue({ subject: "CN=bank-client, O=Contoso" });
      pfx = pfxOf(client.key, client.cert, PASSWORD);
      await mkdir(join(dir, "certs"));
      await writeFile(join(dir, "certs", "bank-client.pfx"), pfx);
    });
    after(async () => {
      await f.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("reads the PFX file with the password from the environment, once", async () => {
      const first = await reconcile(registry, load(CONFIG), f.gateway);
      assert.ok(
        first.changes.includes(`created certificate bank-client (${client.thumbprint})`),
        first.changes.join("\n"),
      );
      assert.equal((await f.gateway.certificates.get("bank-client"))?.thumbprint, client.thumbprint);
      const again = await reconcile(registry, load(CONFIG), f.gateway);
      assert.deepEqual(again.changes, []);
    });

    it("exports the name and thumbprint only; applying the export keeps the stored certificate", async () => {
      const exported = await exportConfig(registry, NO_MANAGEMENT, f.gateway);
      assert.match(exported, new RegExp(`- name: bank-client\\n\\s+thumbprint: ${client.thumbprint}`));
      assert.doesNotMatch(exported, /PRIVATE KEY|BEGIN CERTIFICATE|Yaml-Pfx/);
      assert.ok(!exported.includes(pfx.toString("base64").slice(200, 260)));
      const reapplied = await reconcile(registry, load(exported, {}), f.gateway);
      assert.deepEqual(reapplied.changes, []);
    });

    it("refuses, naming the entry, what it cannot apply", async () => {
      const revision = await f.store.revision();
      const cases: [string, RegExp, NodeJS.ProcessEnv?][] = [
        [
          CONFIG,
          /: gateway\.certificates\[0\] \(bank-client\): The specified network password is not correct\./,
          { BANK_PFX_PASSWORD: "wrong" },
        ],
        [
          "gateway:\n  certificates:\n    - { name: partner, thumbprint: 0123ABCD }\n",
          /: gateway\.certificates\[0\] \(partner\): 'file' or 'data' \(with 'password'\) is required to create the certificate; exports leave/,
        ],
        [
          "gateway:\n  certificates:\n    - { name: bank-client, thumbprint: 0123ABCD }\n",
          /: gateway\.certificates\[0\] \(bank-client\): the stored certificate's thumbprint is/,
        ],
        [
          "gateway:\n  certificates:\n    - { name: missing, file: certs/none.pfx }\n",
          /: gateway\.certificates\[0\] \(missing\): cannot read the certificate file certs\/none\.pfx/,
        ],
        [
          "gateway:\n  namedValues:\n    - name: from-vault\n      keyVault: { secretIdentifier: https://kv.vault.azure.net/secrets/x }\n",
          /: gateway\.namedValues\[0\] \(from-vault\): keyVault is not supported/,
        ],
      ];
      for (const [text, expected, env] of cases) {
        await assert.rejects(reconcile(registry, load(text, env), f.gateway), expected);
      }
      assert.equal(await f.store.revision(), revision, "nothing was applied");
    });
  });
}
