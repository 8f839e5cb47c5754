/**
 * `gatehouse api import` and `gatehouse api export`, run as a user runs them: a file or a URL imported into the
 * store of a data folder, the API written back as a document, and every refusal one clear line.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { importApiDocument } from "../../src/gateway/model/apis/import/index.js";
import { runCli } from "../helpers/cli.js";
import { fixture, importFixture } from "./helpers.js";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

let dir: string;
let data: string;
let server: Server;
let serverUrl: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-api-cli-"));
  data = join(dir, "data");
  server = createServer((request, response) => {
    try {
      const text = fixture((request.url ?? "/").slice(1));
      response.writeHead(200).end(text);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const cli = async (...args: string[]) => runCli([...args, "--data", data]);

const sortedNames = (operations: readonly { name: string }[]) => operations.map((o) => o.name).sort();

describe("gatehouse api import and export", () => {
  it("imports a file, its format told by the extension, the id from the path", async () => {
    const created = await cli("api", "import", join(FIXTURES, "plant-store.openapi.yaml"), "--path", "shop/plants");
    assert.equal(created.code, 0, created.stderr);
    assert.equal(
      created.stdout,
      "Created api shop-plants (Greenhouse Plant Store) at /shop/plants: 11 operations, backend https://eu.plants.example.net/v1.\n",
    );
    const replaced = await cli(
      "api",
      "import",
      join(FIXTURES, "plant-store.openapi.yaml"),
      "--path",
      "shop/plants",
      "--display-name",
      "Plants",
      "--service-url",
      "http://127.0.0.1:9/plants",
      "--translate-required-query-parameters",
      "query",
    );
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(
      replaced.stdout,
      "Replaced api shop-plants (Plants) at /shop/plants: 11 operations, backend http://127.0.0.1:9/plants.\n",
    );
  });

  it("exports the API, which imports back to the same operations", async () => {
    const output = join(dir, "plants.json");
    const exported = await cli("api", "export", "shop-plants", "--format", "openapi+json", "-o", output);
    assert.equal(exported.code, 0, exported.stderr);
    const again = await importApiDocument({
      format: "openapi+json",
      value: await readFile(output, "utf8"),
      translateRequiredQueryParameters: "query",
    });
    const original = await importFixture("plant-store.openapi.yaml", "openapi", {
      translateRequiredQueryParameters: "query",
    });
    assert.deepEqual(
      [...again.operations].sort((a, b) => a.name.localeCompare(b.name)),
      [...original.operations].sort((a, b) => a.name.localeCompare(b.name)),
    );
    assert.equal(again.displayName, "Plants");
    assert.equal(again.serviceUrl, "http://127.0.0.1:9/plants");
  });

  it("imports a WSDL endpoint chosen by name, and exports the WSDL as it was", async () => {
    const file = join(FIXTURES, "currency-rates.wsdl");
    const ambiguous = await cli("api", "import", file, "--path", "rates");
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /^gatehouse: The WSDL document defines more than one SOAP endpoint: .*\n$/);
    const created = await cli(
      "api",
      "import",
      file,
      "--path",
      "rates",
      "--wsdl-service",
      "CurrencyRates",
      "--wsdl-endpoint",
      "RatesSoap12",
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created api rates \(CurrencyRates\) at \/rates: 3 operations/);
    const exported = await cli("api", "export", "rates", "--format", "wsdl");
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout, fixture("currency-rates.wsdl"));
  });

  it("downloads a URL, the link format told by its extension", async () => {
    const imported = await cli("api", "import", `${serverUrl}/bike-share.openapi.json`, "--path", "bikes");
    assert.equal(imported.code, 0, imported.stderr);
    const expected = await importFixture("bike-share.openapi.json", "openapi+json");
    assert.match(
      imported.stdout,
      new RegExp(`^Created api bikes \\(Riverside Bike Share\\) at /bikes: ${expected.operations.length} operations`),
    );
    const exported = await cli("api", "export", "bikes");
    const again = await importApiDocument({ format: "openapi", value: exported.stdout });
    assert.deepEqual(sortedNames(again.operations), sortedNames(expected.operations));
  });

  it("every refusal is one clear line with a non-zero exit, and imports nothing", async () => {
    await writeFile(join(dir, "notes.txt"), "openapi: 3.0.0");
    const cases: [string[], RegExp][] = [
      [["api", "import", join(dir, "missing.yaml"), "--path", "x"], /Cannot read '.*missing\.yaml' \(ENOENT\)/],
      [["api", "import", join(dir, "notes.txt"), "--path", "x"], /cannot be told from its extension/],
      [
        ["api", "import", join(dir, "notes.txt"), "--path", "x", "--format", "wadl-xml"],
        /The format 'wadl-xml' is not a format of a document in a file/,
      ],
      [
        ["api", "import", `${serverUrl}/plant-store.openapi.yaml`, "--path", "x", "--format", "openapi"],
        /--format openapi is not a link format/,
      ],
      [
        ["api", "import", `${serverUrl}/missing.yaml`, "--path", "x"],
        /Unable to download the document from '.*\/missing\.yaml': the server answered 404\./,
      ],
      [["api", "import", join(FIXTURES, "plant-store.openapi.yaml"), "--path", ""], /--api-id is required/],
      [["api", "export", "nope"], /Api 'nope' does not exist\./],
      [["api", "export", "shop-plants", "--format", "wsdl"], /Only a SOAP API imported from a WSDL document/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      assert.equal(result.code, 1, args.join(" "));
      assert.match(result.stderr, /^gatehouse: [^\n]+\n$/, result.stderr);
      assert.match(result.stderr, message);
    }
    const listed = await cli("export");
    assert.doesNotMatch(listed.stdout, /name: x\n/);
  });
});
