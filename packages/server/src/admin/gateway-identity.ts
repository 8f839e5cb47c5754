import { DEFAULT_DEPLOYMENT } from "../gateway/node.js";
import {
  readGatewayIdentity,
  writeGatewayIdentity,
  type GatewayIdentity,
} from "../gateway/managed-identity/identity-file.js";
import { DEFAULT_RESOURCE_GROUP, DEFAULT_SUBSCRIPTION } from "../identity/managed-identities/model.js";
import type { Tenant } from "../identity/model.js";
import type { Registry } from "../identity/registry.js";
import type { Core } from "../server.js";
import { digestsEqual, hashSecret } from "../crypto/secrets.js";
import { MAX_HOST_HEADERS } from "../identity/managed-identities/registry.js";
import { MANAGEMENT, ManagementError, type Management } from "./management.js";

/** The identity host the gateway asks for its tokens as, in the identity service. */
export const GATEWAY_HOST = "gatehouse-gateway";

/** API Management's resource id, as its system-assigned identity carries it (`xms_mirid`). */
export const GATEWAY_RESOURCE_ID = `/subscriptions/${DEFAULT_SUBSCRIPTION}/resourceGroups/${DEFAULT_RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${DEFAULT_DEPLOYMENT.serviceName}`;

/**
 * The gateway's system-assigned managed identity in the application tenant, with the management API's application
 * administrator role held inside that tenant (the management API's service principal there, created if missing) —
 * as API Management's identity holds Entra's Application Administrator role in the directory it provisions. Its
 * host's identity header is sealed in the data folder for every gateway process; one is added when the file is
 * missing, belongs to an identity that is gone, or holds a value that was rotated away. A host left in another tenant
 * (the application tenant changed) is replaced. Nodes starting together do this once.
 */
export function ensureGatewayIdentity(
  core: Pick<Core, "store" | "registry" | "masterKey" | "dataDir" | "pepper">,
  management: Management,
  tenant: Tenant,
): Promise<{ identity: GatewayIdentity; header: string }> {
  const { store, registry, masterKey, dataDir } = core;
  return store.exclusive("gateway-identity", async () => {
    const identities = registry.managedIdentities;
    let host = await identities.getHost(GATEWAY_HOST);
    if (host && (host.tenantId !== tenant.id || host.systemAssigned === null)) {
      await identities.deleteHost(GATEWAY_HOST);
      host = undefined;
    }
    let header: string | undefined;
    if (!host) {
      ({ host, header } = await identities.createHost({
        name: GATEWAY_HOST,
        tenantId: tenant.id,
        resourceId: GATEWAY_RESOURCE_ID,
        systemAssigned: true,
      }));
    }
    const principalId = host.systemAssigned;
    const identity = principalId === null ? undefined : await identities.find(principalId);
    if (!identity) throw new ManagementError(`the gateway's host '${GATEWAY_HOST}' has no system-assigned identity`);
    const stored = await readGatewayIdentity(dataDir, masterKey).catch(() => undefined);
    if (header === undefined && stored?.principalId === identity.principalId) {
      const digest = hashSecret(core.pepper, stored.header);
      const current = await registry.read((repos) => repos.managedIdentities.listHeaders(GATEWAY_HOST));
      if (current.some((h) => digestsEqual(Buffer.from(h.hash, "base64url"), digest))) header = stored.header;
    }
    header ??= await newHeader(registry);
    const gateway: GatewayIdentity = {
      host: GATEWAY_HOST,
      resourceId: identity.resourceId,
      tenantId: identity.tenantId,
      principalId: identity.principalId,
      clientId: identity.clientId,
    };
    if (stored?.header !== header || stored.principalId !== gateway.principalId) {
      await writeGatewayIdentity(dataDir, masterKey, gateway, header);
    }
    await grantApplicationAdministrator(registry, management, tenant, identity.principalId);
    return { identity: gateway, header };
  });
}

/** A further header value; when the host has as many as it may, they are rotated (the gateway's own is the one lost). */
async function newHeader(registry: Registry): Promise<string> {
  const held = await registry.read((repos) => repos.managedIdentities.listHeaders(GATEWAY_HOST));
  return held.length >= MAX_HOST_HEADERS
    ? registry.managedIdentities.rotateHeaders(GATEWAY_HOST)
    : registry.managedIdentities.addHeader(GATEWAY_HOST);
}

/** The management API's service principal in the tenant (role assignment required) and the identity's role on it. */
async function grantApplicationAdministrator(
  registry: Registry,
  management: Management,
  tenant: Tenant,
  principalId: string,
): Promise<void> {
  const resourceSp =
    (await registry.read((repos) => repos.servicePrincipals.findByAppId(tenant.id, management.resourceAppId))) ??
    (await registry.createServicePrincipal(tenant.id, management.resourceAppId, { appRoleAssignmentRequired: true }));
  const held = await registry.read((repos) => repos.assignments.list({ principalId, resourceId: resourceSp.id }));
  if (held.some((a) => a.appRoleId === MANAGEMENT.applicationAdministratorRoleId)) return;
  await registry.grantAppRole({
    principalId,
    resourceId: resourceSp.id,
    appRoleId: MANAGEMENT.applicationAdministratorRoleId,
  });
}
