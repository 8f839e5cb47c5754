/**
 * What an import makes is what the gateway stores: every imported API and operation passes the gateway's own
 * validation (names, methods, URL templates parsed as the router parses them, response contracts) unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImportApiRequest } from "../../src/gateway/model/apis/import/index.js";
import { apiFrom } from "../../src/gateway/model/apis/validation.js";
import { operationFrom } from "../../src/gateway/model/operations/validation.js";
import { importFixture } from "./helpers.js";

const imports: [fixture: string, format: string, rest?: Partial<ImportApiRequest>][] = [
  ["plant-store.openapi.yaml", "openapi"],
  ["plant-store.openapi.yaml", "openapi", { translateRequiredQueryParameters: "query" }],
  ["bike-share.openapi.json", "openapi+json"],
  ["weather-stations.swagger.json", "swagger-json"],
  [
    "currency-rates.wsdl",
    "wsdl",
    { wsdlSelector: { wsdlServiceName: "CurrencyRates", wsdlEndpointName: "RatesSoap" } },
  ],
  [
    "currency-rates.wsdl",
    "wsdl",
    { wsdlSelector: { wsdlServiceName: "CurrencyRates", wsdlEndpointName: "RatesSoap12" } },
  ],
  ["currency-rates.wsdl", "wsdl", { wsdlSelector: { wsdlServiceName: "CurrencyAdmin" } }],
];

describe("imported APIs pass the gateway's validation", () => {
  for (const [fixture, format, rest] of imports) {
    it(`${fixture} (${format}${rest ? ` ${JSON.stringify(rest)}` : ""})`, async () => {
      const imported = await importFixture(fixture, format, rest);
      const api = apiFrom("imported", {
        displayName: imported.displayName ?? "Imported",
        description: imported.description ?? null,
        path: "imported",
        serviceUrl: imported.serviceUrl ?? null,
        apiType: imported.apiType,
      });
      assert.equal(api.serviceUrl, imported.serviceUrl ?? null);
      for (const operation of imported.operations) {
        const { api: _api, ...stored } = operationFrom(api, operation.name, operation);
        assert.deepEqual(stored, operation);
      }
    });
  }
});
