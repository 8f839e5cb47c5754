import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { DemoBackends } from "../../src/demo/backends/index.js";
import type { JsonResponse } from "../../src/util/https-fetch.js";
import { EXAMPLE_CONFIG, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";
import { adminCall } from "../gateway-entra/helpers.js";

export const SERVICE = "/gateway";

/**
 * The example tenant Contoso (the default tenant, so product and client applications are registered there) and two
 * echo APIs: `echo` in product starter, `other` in product unlimited. Both products start with subscription keys.
 */
export function startApplicationAccessTest(extraGateway: string[] = []): Promise<GatewayTest> {
  return startGatewayTest((backends: DemoBackends) =>
    [
      EXAMPLE_CONFIG,
      "gateway:",
      "  apis:",
      apiYaml("echo", backends.echoUrl),
      apiYaml("other", backends.echoUrl),
      "  products:",
      "    - { name: starter, displayName: Starter, state: published, apis: [echo], groups: [developers] }",
      "    - { name: unlimited, displayName: Unlimited, state: published, apis: [other] }",
      ...extraGateway,
      "",
    ].join("\n"),
  );
}

/** An ARM call under `/gateway` with a fresh admin token. */
export async function arm(gh: TestGatehouse, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  return adminCall(gh, await gh.adminToken(), method, `${SERVICE}${path}`, body);
}

export interface Properties {
  [name: string]: unknown;
}

/** The `properties` of an ARM answer with the expected status. */
export async function armProperties(
  gh: TestGatehouse,
  method: string,
  path: string,
  status: number,
  body?: unknown,
): Promise<Properties> {
  const response = await arm(gh, method, path, body);
  assert.equal(response.status, status, JSON.stringify(response.body));
  return (response.body as { properties: Properties }).properties;
}

/** Waits until `check` passes (the sync works in the background), or fails with its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(100);
    }
  }
}

/** Creates user `id` (active, Basic identity) through ARM. */
export async function createUser(gh: TestGatehouse, id: string, email: string): Promise<void> {
  const response = await arm(gh, "PUT", `/users/${id}`, {
    properties: { email, firstName: "Dev", lastName: id },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
}
