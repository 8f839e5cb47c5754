import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { readAdminClient } from "../../src/admin/management.js";
import { readGatewayIdentity } from "../../src/gateway/managed-identity/identity-file.js";
import type { IdentityEndpoint } from "../../src/gateway/managed-identity/token-source.js";
import { APP_SERVICE_PATH } from "../../src/identity/managed-identities/endpoints.js";
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

/** The gateway's identity endpoint and header, as the server wrote them to the data folder. */
export async function gatewayIdentityEndpoint(gh: TestGatehouse): Promise<IdentityEndpoint> {
  const identity = await readGatewayIdentity(gh.dataDir, await loadMasterKey(gh.dataDir));
  assert.ok(identity, "the gateway has a managed identity");
  return { endpoint: `${gh.identityUrl}${APP_SERVICE_PATH}`, header: identity.header };
}

/** A token of the gateway's managed identity from the App Service-style endpoint, as the gateway gets one. */
export async function gatewayIdentityToken(gh: TestGatehouse, resource: string, clientId?: string): Promise<string> {
  const { endpoint, header } = await gatewayIdentityEndpoint(gh);
  const query = new URLSearchParams({
    resource,
    "api-version": "2019-08-01",
    ...(clientId ? { client_id: clientId } : {}),
  });
  const response = await fetchJson(`${endpoint}?${query}`, { headers: { "x-identity-header": header } }, gh.caPath);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as { access_token: string }).access_token;
}

/** A token for the admin API: the bootstrap admin's, or the gateway identity's (application administrator). */
export async function managementToken(gh: TestGatehouse, who: "admin" | "gateway"): Promise<string> {
  if (who === "gateway") return gatewayIdentityToken(gh, `api://${gh.management.resourceAppId}`);
  const client = await readAdminClient(gh.dataDir, await loadMasterKey(gh.dataDir));
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

/** The gateway's Entra client for a tenant of the running server, as the gateway's managed identity. */
export async function gatewayDirectory(gh: TestGatehouse, tenant: string = EXAMPLE.tenantId): Promise<EntraDirectory> {
  const extraCa = gh.caPath ? [await readFile(gh.caPath, "utf8")] : [];
  return new EntraDirectory(
    gatehouseDirectoryOptions({
      adminUrl: gh.adminUrl,
      tenant,
      identity: await gatewayIdentityEndpoint(gh),
      managementAppId: gh.management.resourceAppId,
      extraCa,
    }),
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
