import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { readAdminClient, readGatewayClient, type AdminClientCredentials } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { EntraDirectory, gatehouseDirectoryOptions } from "../../src/gateway/entra/directory.js";
import { fetchJson, type JsonResponse } from "../../src/util/https-fetch.js";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  startTestGatehouse,
  type TestGatehouse,
  type TestOptions,
} from "../helpers/gatehouse.js";
import { runClient } from "../helpers/run-client.js";

/** A real Gatehouse (local TLS, so MSAL can talk to it) with the example tenant Contoso. */
export function startEntraGatehouse(options: TestOptions = {}): Promise<TestGatehouse> {
  return startTestGatehouse({ config: EXAMPLE_CONFIG, ...options });
}

/** A token of a management-tenant client (the bootstrap admin's or the gateway's) for the admin API. */
export async function managementToken(gh: TestGatehouse, who: "admin" | "gateway"): Promise<string> {
  const masterKey = await loadMasterKey(gh.dataDir);
  const client: AdminClientCredentials =
    who === "admin" ? await readAdminClient(gh.dataDir, masterKey) : await readGatewayClient(gh.dataDir, masterKey);
  const response = await gh.postForm(gh.tokenUrl(client.tenantId), {
    grant_type: "client_credentials",
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scope: client.scope,
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as { access_token: string }).access_token;
}

/** An admin API call with a bearer token, trusting the server's local CA. */
export function adminCall(
  gh: TestGatehouse,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse> {
  return fetchJson(
    `${gh.adminUrl}${path}`,
    {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    gh.caPath,
  );
}

/** The gateway's Entra client for a tenant of the running server, with the gateway client's own credentials. */
export async function gatewayDirectory(gh: TestGatehouse, tenant: string = EXAMPLE.tenantId): Promise<EntraDirectory> {
  const credentials = await readGatewayClient(gh.dataDir, await loadMasterKey(gh.dataDir));
  const extraCa = gh.caPath ? [await readFile(gh.caPath, "utf8")] : [];
  return new EntraDirectory(
    gatehouseDirectoryOptions({ identityUrl: gh.identityUrl, adminUrl: gh.adminUrl, tenant, credentials, extraCa }),
  );
}

export interface MsalOutcome {
  ok: boolean;
  accessToken?: string;
  errorCode?: string;
  errorNo?: number;
  message?: string;
}

/** A token with @azure/msal-node, in its own process trusting the local CA, as a client application gets one. */
export function msalToken(
  gh: TestGatehouse,
  clientId: string,
  clientSecret: string,
  scope: string,
  tenant: string = EXAMPLE.tenantId,
): Promise<MsalOutcome> {
  return runClient<MsalOutcome>(
    "msal",
    {
      authority: `${gh.identityUrl}/${tenant}`,
      clientId,
      clientSecret,
      scopes: [scope],
      knownAuthorities: [new URL(gh.identityUrl).host],
    },
    gh.caPath,
  );
}
