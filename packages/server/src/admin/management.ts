import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { MasterKey } from "../crypto/master-key.js";
import { readSealedFile, writeSealedFile } from "../crypto/sealed-file.js";
import type { AppRole } from "../identity/model.js";
import type { Registry } from "../identity/registry.js";
import type { Store } from "../store/store.js";
import { restrict } from "../util/private-files.js";

/**
 * The built-in management API: a resource app in a tenant of its own with two app roles: `Gatehouse.Admin` (everything)
 * and `Gatehouse.ApplicationAdministrator` (app registrations, service principals and consent outside the management
 * tenant — Entra's Application Administrator, held by the gateway's managed identity in the application tenant to
 * provision product applications). The app is multi-tenant so that it has a service principal there.
 */
export const MANAGEMENT = {
  tenantName: "Gatehouse",
  resourceName: "Gatehouse Management API",
  clientName: "Gatehouse CLI (bootstrap admin)",
  adminRole: "Gatehouse.Admin",
  adminRoleId: "8ad5b7a6-4c3e-4f0e-9b2a-6d1c0e5f7a21",
  applicationAdministratorRole: "Gatehouse.ApplicationAdministrator",
  applicationAdministratorRoleId: "4e122c59-34c4-478f-920e-1f7b54b9a7ad",
  settings: {
    tenant: "management.tenantId",
    resource: "management.resourceAppId",
    client: "management.clientAppId",
    /** The stand-in gateway client of earlier versions, retired at start (retireGatewayClient). */
    gatewayClient: "management.gatewayClientAppId",
  },
} as const;

export interface Management {
  tenantId: string;
  resourceAppId: string;
  clientAppId: string;
}

const MANAGEMENT_ROLES: readonly AppRole[] = [
  {
    id: MANAGEMENT.adminRoleId,
    value: MANAGEMENT.adminRole,
    displayName: "Gatehouse administrator",
    description: "Full access to the Gatehouse admin API.",
    allowedMemberTypes: ["Application"],
    isEnabled: true,
    origin: "Application",
  },
  {
    id: MANAGEMENT.applicationAdministratorRoleId,
    value: MANAGEMENT.applicationAdministratorRole,
    displayName: "Gatehouse application administrator",
    description:
      "Manage applications, service principals and app role assignments in every tenant but the management tenant.",
    allowedMemberTypes: ["Application"],
    isEnabled: true,
    origin: "Application",
  },
];

/** A client whose credentials `<data>/<file>` holds, the secret sealed with the master key. */
interface ClientFileKind {
  file: string;
  aad: string;
  /** The secret's displayName on the application. */
  secretName: string;
  clientAppId(management: Management): string;
}

const ADMIN_CLIENT: ClientFileKind = {
  file: "admin-client.json",
  aad: "admin-client-secret",
  secretName: "bootstrap",
  clientAppId: (m) => m.clientAppId,
};

/** The stand-in gateway client's credentials file of earlier versions, removed with it. */
const RETIRED_GATEWAY_CLIENT_FILE = "gateway-client.json";

/** What a credentials file holds besides the sealed secret. */
interface ClientFile {
  tenantId: string;
  clientId: string;
  resource: string;
}

export class ManagementError extends Error {
  override name = "ManagementError";
}

async function readSettings(store: Store) {
  return store.read(async (repos) => {
    const [tenantId, resourceAppId, clientAppId, gatewayClientAppId] = await Promise.all(
      Object.values(MANAGEMENT.settings).map((name) => repos.settings.get(name)),
    );
    const api: Management | undefined =
      tenantId && resourceAppId && clientAppId ? { tenantId, resourceAppId, clientAppId } : undefined;
    return { api, gatewayClientAppId };
  });
}

/**
 * Creates the management tenant, resource app, bootstrap admin client, its consent and credentials file, once. A store
 * made by an earlier version gets the application administrator role and a multi-tenant resource app, and loses the
 * stand-in gateway client (the gateway's managed identity replaces it). Later calls only make sure the credentials
 * file exists (a fresh secret is issued for one that was deleted).
 */
export async function ensureManagement(
  store: Store,
  registry: Registry,
  masterKey: MasterKey,
  dataDir: string,
): Promise<Management> {
  const stored = await readSettings(store);
  const management = stored.api ?? (await createManagementApi(registry));
  if (stored.api) await upgradeManagementApi(registry, management);
  if (stored.gatewayClientAppId !== undefined) await retireGatewayClient(registry, stored.gatewayClientAppId);
  await rm(join(dataDir, RETIRED_GATEWAY_CLIENT_FILE), { force: true });
  await ensureCredentials(ADMIN_CLIENT, registry, masterKey, dataDir, management, stored.api === undefined);
  return management;
}

async function createManagementApi(registry: Registry): Promise<Management> {
  const tenant = await registry.createTenant({ displayName: MANAGEMENT.tenantName });
  const resource = await registry.createApplication(tenant.id, {
    displayName: MANAGEMENT.resourceName,
    signInAudience: "AzureADMultipleOrgs",
    api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [] },
    appRoles: [...MANAGEMENT_ROLES],
  });
  await registry.updateApplication(resource.id, { identifierUris: [`api://${resource.appId}`] });
  await registry.createServicePrincipal(tenant.id, resource.appId, { appRoleAssignmentRequired: true });
  const api = { tenantId: tenant.id, resourceAppId: resource.appId };
  const clientAppId = await createRoleHolder(registry, api, MANAGEMENT.clientName, MANAGEMENT.adminRoleId);
  await registry.setSetting(MANAGEMENT.settings.tenant, api.tenantId);
  await registry.setSetting(MANAGEMENT.settings.resource, api.resourceAppId);
  await registry.setSetting(MANAGEMENT.settings.client, clientAppId);
  return { ...api, clientAppId };
}

/** Roles and sign-in audience a management API made by an earlier version lacks. */
async function upgradeManagementApi(registry: Registry, api: Management): Promise<void> {
  const resource = await registry.read((repos) => repos.applications.getByAppId(api.resourceAppId));
  if (!resource) throw new ManagementError(`the management API ${api.resourceAppId} is missing from the store`);
  const missing = MANAGEMENT_ROLES.filter((role) => !resource.appRoles.some((r) => r.id === role.id));
  if (missing.length === 0 && resource.signInAudience === "AzureADMultipleOrgs") return;
  await registry.updateApplication(resource.id, {
    appRoles: [...resource.appRoles, ...missing],
    signInAudience: "AzureADMultipleOrgs",
  });
}

/** The stand-in client "Gatehouse Gateway (application administrator)" of earlier versions: gone, with its grant. */
async function retireGatewayClient(registry: Registry, appId: string): Promise<void> {
  const app = await registry.read((repos) => repos.applications.getByAppId(appId));
  if (app) await registry.deleteApplication(app.id);
  await registry.deleteSetting(MANAGEMENT.settings.gatewayClient);
}

/** A client app in the management tenant with its service principal and one role of the management API. */
async function createRoleHolder(
  registry: Registry,
  api: Pick<Management, "tenantId" | "resourceAppId">,
  displayName: string,
  appRoleId: string,
): Promise<string> {
  const client = await registry.createApplication(api.tenantId, { displayName });
  const clientSp = await registry.createServicePrincipal(api.tenantId, client.appId);
  const resourceSp = await registry.read((repos) =>
    repos.servicePrincipals.findByAppId(api.tenantId, api.resourceAppId),
  );
  if (!resourceSp) throw new ManagementError("the management API has no service principal");
  await registry.grantAppRole({ principalId: clientSp.id, resourceId: resourceSp.id, appRoleId });
  return client.appId;
}

async function ensureCredentials(
  kind: ClientFileKind,
  registry: Registry,
  masterKey: MasterKey,
  dataDir: string,
  management: Management,
  created: boolean,
): Promise<void> {
  const path = join(dataDir, kind.file);
  if (!created && (await fileExists(path))) {
    restrict(path);
    return;
  }
  const clientId = kind.clientAppId(management);
  const { secretText } = await registry.addPassword(clientId, { displayName: kind.secretName });
  const file: ClientFile = { tenantId: management.tenantId, clientId, resource: `api://${management.resourceAppId}` };
  await writeSealedFile(path, masterKey, kind.aad, file, secretText);
}

export interface AdminClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

/** The bootstrap admin client's credentials (`Gatehouse.Admin`). */
export function readAdminClient(dataDir: string, masterKey: MasterKey): Promise<AdminClientCredentials> {
  return readClient(ADMIN_CLIENT, dataDir, masterKey);
}

async function readClient(kind: ClientFileKind, dataDir: string, masterKey: MasterKey) {
  const path = join(dataDir, kind.file);
  if (!(await fileExists(path))) {
    throw new ManagementError(`no ${kind.file} in ${dataDir}: run \`gatehouse init --data ${dataDir}\` first`);
  }
  const file = await readSealedFile<ClientFile>(path, masterKey, kind.aad);
  return {
    tenantId: file.tenantId,
    clientId: file.clientId,
    clientSecret: file.secret,
    scope: `${file.resource}/.default`,
  };
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
