import { stat } from "node:fs/promises";
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
 * tenant — Entra's Application Administrator, held by the gateway's own client to provision product applications).
 */
export const MANAGEMENT = {
  tenantName: "Gatehouse",
  resourceName: "Gatehouse Management API",
  clientName: "Gatehouse CLI (bootstrap admin)",
  gatewayClientName: "Gatehouse Gateway (application administrator)",
  adminRole: "Gatehouse.Admin",
  adminRoleId: "8ad5b7a6-4c3e-4f0e-9b2a-6d1c0e5f7a21",
  applicationAdministratorRole: "Gatehouse.ApplicationAdministrator",
  applicationAdministratorRoleId: "4e122c59-34c4-478f-920e-1f7b54b9a7ad",
  settings: {
    tenant: "management.tenantId",
    resource: "management.resourceAppId",
    client: "management.clientAppId",
    gatewayClient: "management.gatewayClientAppId",
  },
} as const;

export interface Management {
  tenantId: string;
  resourceAppId: string;
  clientAppId: string;
  /** The gateway's client: holds only the application administrator role. */
  gatewayClientAppId: string;
}

type ManagementApi = Omit<Management, "gatewayClientAppId">;

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

const GATEWAY_CLIENT: ClientFileKind = {
  file: "gateway-client.json",
  aad: "gateway-client-secret",
  secretName: "gateway",
  clientAppId: (m) => m.gatewayClientAppId,
};

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
    const api: ManagementApi | undefined =
      tenantId && resourceAppId && clientAppId ? { tenantId, resourceAppId, clientAppId } : undefined;
    return { api, gatewayClientAppId };
  });
}

/**
 * Creates the management tenant, resource app, bootstrap admin client and gateway client, their consent and
 * credentials files, once. A store made before the gateway client existed gets it (and the role) added. Later calls
 * only make sure the credentials files exist (a fresh secret is issued for one that was deleted).
 */
export async function ensureManagement(
  store: Store,
  registry: Registry,
  masterKey: MasterKey,
  dataDir: string,
): Promise<Management> {
  const stored = await readSettings(store);
  const api = stored.api ?? (await createManagementApi(registry));
  const gatewayClientAppId = stored.gatewayClientAppId ?? (await createGatewayClient(registry, api));
  const management = { ...api, gatewayClientAppId };
  await ensureCredentials(ADMIN_CLIENT, registry, masterKey, dataDir, management, stored.api === undefined);
  await ensureCredentials(
    GATEWAY_CLIENT,
    registry,
    masterKey,
    dataDir,
    management,
    stored.gatewayClientAppId === undefined,
  );
  return management;
}

async function createManagementApi(registry: Registry): Promise<ManagementApi> {
  const tenant = await registry.createTenant({ displayName: MANAGEMENT.tenantName });
  const resource = await registry.createApplication(tenant.id, {
    displayName: MANAGEMENT.resourceName,
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

/** The gateway's client, with the application administrator role added first to a management API made without it. */
async function createGatewayClient(registry: Registry, api: ManagementApi): Promise<string> {
  const resource = await registry.read((repos) => repos.applications.getByAppId(api.resourceAppId));
  if (!resource) throw new ManagementError(`the management API ${api.resourceAppId} is missing from the store`);
  const missing = MANAGEMENT_ROLES.filter((role) => !resource.appRoles.some((r) => r.id === role.id));
  if (missing.length > 0)
    await registry.updateApplication(resource.id, { appRoles: [...resource.appRoles, ...missing] });
  const clientAppId = await createRoleHolder(
    registry,
    api,
    MANAGEMENT.gatewayClientName,
    MANAGEMENT.applicationAdministratorRoleId,
  );
  await registry.setSetting(MANAGEMENT.settings.gatewayClient, clientAppId);
  return clientAppId;
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

/** The gateway client's credentials (`Gatehouse.ApplicationAdministrator`), for the gateway's Entra client. */
export function readGatewayClient(dataDir: string, masterKey: MasterKey): Promise<AdminClientCredentials> {
  return readClient(GATEWAY_CLIENT, dataDir, masterKey);
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
