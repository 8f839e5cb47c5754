import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { EXAMPLE_CONFIG } from "../helpers/gatehouse.js";

describe("configuration files", () => {
  it("parses the example and substitutes ${ENV} in values", () => {
    const config = parseConfig(EXAMPLE_CONFIG, "example.yaml", { CLIENT_APP_SECRET: "s3cret-from-the-environment" });
    const client = config.identity?.tenants?.[0]?.applications?.[1];
    assert.equal(client?.passwordCredentials?.[0]?.secretText, "s3cret-from-the-environment");
    assert.equal(config.identity?.tenants?.[0]?.applications?.[0]?.api?.requestedAccessTokenVersion, 2);
  });

  it("supports ${NAME:-default} and names the place of a missing variable without printing values", () => {
    const withDefault = parseConfig(
      "identity:\n  tenants:\n    - id: 7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f\n      displayName: ${TENANT_NAME:-Fallback}\n",
      "x.yaml",
      {},
    );
    assert.equal(withDefault.identity?.tenants?.[0]?.displayName, "Fallback");
    assert.throws(
      () => parseConfig(EXAMPLE_CONFIG, "example.yaml", {}),
      (e: Error) =>
        e instanceof ConfigError &&
        /CLIENT_APP_SECRET is not set \(used at identity\.tenants\[0\]\.applications\[1\]\.passwordCredentials\[0\]\.secretText\)/.test(
          e.message,
        ),
    );
  });

  it("reports YAML syntax errors with line and column", () => {
    assert.throws(
      () => parseConfig("identity:\n  tenants: [\n    - id: x\n", "broken.yaml"),
      (e: Error) => e instanceof ConfigError && /^broken\.yaml:\d+:\d+: /.test(e.message),
    );
  });

  it("refuses a repeated key at its line, also in a map of 20,000 keys (checked once per key, not per pair)", () => {
    assert.throws(
      () => parseConfig("identity:\n  tenants: []\nidentity:\n  tenants: []\n", "twice.yaml"),
      (e: Error) => e instanceof ConfigError && e.message === "twice.yaml:3:1: Map keys must be unique",
    );
    const keys = Array.from({ length: 20_000 }, (_, i) => `    k${i}: v`).join("\n");
    assert.throws(
      () => parseConfig(`gateway:\n  namedValues:\n${keys}\n    k0: again\n`, "wide.yaml"),
      (e: Error) => e instanceof ConfigError && e.message === "wide.yaml:20003:5: Map keys must be unique",
    );
  });

  it("reports schema violations with their path", () => {
    const cases: [string, RegExp][] = [
      [
        "identity:\n  tenants:\n    - id: not-a-guid\n      displayName: X\n",
        /identity\.tenants\[0\]\.id: must be a GUID/,
      ],
      ["identity:\n  tenantz: []\n", /tenantz/],
      [
        "identity:\n  tenants:\n    - id: 7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f\n      displayName: X\n      applications:\n        - displayName: A\n          passwordCredentials: [{ displayName: d, secretText: short }]\n",
        /secretText: must be at least 16 characters/,
      ],
      [
        "identity:\n  tenants:\n    - id: 7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f\n      displayName: X\n      applications:\n        - displayName: A\n          api: { requestedAccessTokenVersion: 3 }\n",
        /requestedAccessTokenVersion/,
      ],
    ];
    for (const [yaml, pattern] of cases) {
      assert.throws(
        () => parseConfig(yaml, "c.yaml", {}),
        (e: Error) => e instanceof ConfigError && pattern.test(e.message),
      );
    }
  });
});
