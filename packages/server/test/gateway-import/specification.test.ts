/**
 * `specification:` on an API entry of a configuration file: the document (relative to the file) gives the API its
 * operations and what the entry leaves out; an `operations:` entry of the same name takes a document operation's
 * place; the document is kept, and an unchanged file writes nothing.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../../src/config/errors.js";
import { exportConfig } from "../../src/config/export.js";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import { reconcile } from "../../src/config/reconcile.js";
import type { Management } from "../../src/admin/management.js";
import { Registry } from "../../src/identity/registry.js";
import { databaseTargets } from "../helpers/databases.js";
import { openGateway, type GatewayFixture } from "../gateway-store/helpers.js";
import { fixture, importFixture } from "./helpers.js";

const NO_MANAGEMENT = { tenantId: "none" } as Management;

const MOCK_POLICY = '<policies><inbound><base /><mock-response status-code="200" /></inbound></policies>';

const CONFIG = `
gateway:
  apis:
    - name: plants
      path: plants
      specification: specs/plant-store.yaml
      operations:
        - name: getplant
          displayName: Get a plant (mocked)
          method: GET
          urlTemplate: /plants/{plantId}
          policy: '${MOCK_POLICY}'
    - name: rates
      displayName: Rates
      path: rates
      serviceUrl: http://127.0.0.1:9/rates
      specification:
        file: specs/currency-rates.wsdl
        wsdlSelector: { wsdlServiceName: CurrencyRates, wsdlEndpointName: RatesSoap }
`;

for (const target of await databaseTargets()) {
  describe(`specification: in a configuration file (${target.name})`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    let registry: Registry;
    let dir: string;
    const load = (text: string): LoadedConfig => ({ config: parseConfig(text, "gateway.yaml", {}), baseDir: dir });
    const apply = async (text: string) => reconcile(registry, load(text), f.gateway);

    before(async () => {
      f = await openGateway(target);
      registry = new Registry(f.store, f.masterKey.derive("client-secret-pepper"));
      dir = await mkdtemp(join(tmpdir(), "gatehouse-specification-"));
      await mkdir(join(dir, "specs"));
      await writeFile(join(dir, "specs", "plant-store.yaml"), fixture("plant-store.openapi.yaml"));
      await writeFile(join(dir, "specs", "currency-rates.wsdl"), fixture("currency-rates.wsdl"));
    });
    after(async () => {
      await f.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("imports the documents: operations, the title the entry leaves out, the WSDL's type", async () => {
      const first = await apply(CONFIG);
      const plantStore = await importFixture("plant-store.openapi.yaml", "openapi");
      assert.ok(first.changes.includes("created api plants"), first.changes.join("\n"));
      assert.ok(first.changes.includes("stored the document of api plants"));
      assert.ok(first.changes.includes("stored the document of api rates"));
      assert.ok(first.changes.includes("set the policy of operation 'plants/getplant'"), first.changes.join("\n"));

      const plants = await f.gateway.apis.get("plants");
      assert.equal(plants?.displayName, "Greenhouse Plant Store");
      assert.equal(plants?.serviceUrl, plantStore.serviceUrl);
      const operations = await f.gateway.operations.list("plants");
      assert.deepEqual(operations.map((o) => o.name).sort(), plantStore.operations.map((o) => o.name).sort());
      const listPlants = operations.find((o) => o.name === "listplants");
      const { api: _api, ...stored } = listPlants ?? { api: "" };
      assert.deepEqual(
        stored,
        plantStore.operations.find((o) => o.name === "listplants"),
      );
      // The entry's operation took the document's place.
      assert.equal(operations.find((o) => o.name === "getplant")?.displayName, "Get a plant (mocked)");
      assert.deepEqual(await f.gateway.apis.document("plants"), {
        format: "openapi",
        text: fixture("plant-store.openapi.yaml"),
      });

      const rates = await f.gateway.apis.get("rates");
      assert.equal(rates?.apiType, "soap");
      assert.equal(rates?.serviceUrl, "http://127.0.0.1:9/rates", "the entry's serviceUrl wins");
      assert.equal((await f.gateway.apis.exportDocument("rates", "wsdl")).text, fixture("currency-rates.wsdl"));
    });

    it("an unchanged file writes nothing; a changed document is stored and its operations updated", async () => {
      const revision = await f.store.revision();
      assert.deepEqual((await apply(CONFIG)).changes, []);
      assert.equal(await f.store.revision(), revision);

      const changed = fixture("plant-store.openapi.yaml").replace("summary: List plants", "summary: All the plants");
      await writeFile(join(dir, "specs", "plant-store.yaml"), changed);
      assert.deepEqual((await apply(CONFIG)).changes, [
        "stored the document of api plants",
        "updated operation plants/listplants",
      ]);
      assert.equal((await f.gateway.operations.get("plants", "listplants"))?.displayName, "All the plants");
      assert.equal((await f.gateway.apis.document("plants"))?.text, changed);
    });

    it("exports the imported operations, and applying the export changes nothing", async () => {
      const exported = await exportConfig(registry, NO_MANAGEMENT, f.gateway);
      assert.doesNotMatch(exported, /specification/);
      assert.deepEqual(
        (await reconcile(registry, { config: parseConfig(exported, "x.yaml", {}), baseDir: dir }, f.gateway)).changes,
        [],
      );
    });

    it("names the entry at fault", async () => {
      const cases: [string, RegExp][] = [
        [
          "gateway:\n  apis:\n    - { name: lost, path: lost, specification: specs/missing.yaml }\n",
          /^gateway\.apis\[0\] \(lost\)\.specification: Cannot read '.*missing\.yaml' \(ENOENT\)\.$/,
        ],
        [
          "gateway:\n  apis:\n    - { name: odd, path: odd, specification: specs/plant-store.txt }\n",
          /^gateway\.apis\[0\] \(odd\)\.specification: The format of '.*plant-store\.txt' cannot be told from its extension/,
        ],
        [
          "gateway:\n  apis:\n    - { name: bare, path: bare }\n",
          /^gateway\.apis\[0\] \(bare\): displayName is required \(or a specification to take it from\)\.$/,
        ],
        [
          "gateway:\n  apis:\n    - { name: rest, path: rest, apiType: http, specification: { file: specs/currency-rates.wsdl, wsdlSelector: { wsdlServiceName: CurrencyAdmin } } }\n",
          /^gateway\.apis\[0\] \(rest\)\.specification: SOAP to REST .* is not supported/,
        ],
      ];
      for (const [text, message] of cases) {
        await assert.rejects(apply(text), (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.match(error.message, message);
          return true;
        });
      }
    });
  });
}
