import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { MasterKey } from "../crypto/master-key.js";
import { readSealedFile, writeSealedFile } from "../crypto/sealed-file.js";
import type { Registry } from "../identity/registry.js";
import type { Store } from "../store/store.js";
import { restrict } from "../util/private-files.js";

/** The built-in management API: a resource app with one admin role, in a tenant of its own. */
export const MANAGEMENT = {
  tenantName: "Gatehouse",
  resourceName: "Gatehouse Management API",
  clientName: "Gatehouse CLI (bootstrap admin)",
  adminRole: "Gatehouse.Admin",
  adminRoleId: "8ad5b7a6-4c3e-4f0e-9b2a-6d1c0e5f7a21",
  settings: { tenant: "management.tenantId", resource: "management.resourceAppId", client: "management.clientAppId" },
} as const;

export interface Management {
  tenantId: string;
  resourceAppId: string;
  clientAppId: string;
}

/** What `<data>/admin-client.json` holds besides the secret, which is sealed with the master key. */
interface AdminClientFile {
  tenantId: string;
  clientId: string;
  resource: string;
}

const ADMIN_CLIENT_FILE = "admin-client.json";
const SECRET_AAD = "admin-client-secret";

export class ManagementError extends Error {
  override name = "ManagementError";
}

export async function readManagement(store: Store): Promise<Management | undefined> {
  return store.read(async (repos) => {
    const [tenantId, resourceAppId, clientAppId] = await Promise.all([
      repos.settings.get(MANAGEMENT.settings.tenant),
      repos.settings.get(MANAGEMENT.settings.resource),
      repos.settings.get(MANAGEMENT.settings.client),
    ]);
    return tenantId && resourceAppId && clientAppId ? { tenantId, resourceAppId, clientAppId } : undefined;
  });
}

/**
 * Creates the management tenant, resource app, bootstrap admin client, its consent and credentials file, once.
 * Later calls only make sure the credentials file exists (a fresh secret is issued if it was deleted).
 */
export async function ensureManagement(
  store: Store,
  registry: Registry,
  masterKey: MasterKey,
  dataDir: string,
): Promise<Management> {
  const existing = await readManagement(store);
  if (existing) {
    const file = join(dataDir, ADMIN_CLIENT_FILE);
    if (await fileExists(file)) restrict(file);
    else await issueAdminCredentials(registry, masterKey, dataDir, existing);
    return existing;
  }
  const tenant = await registry.createTenant({ displayName: MANAGEMENT.tenantName });
  const resource = await registry.createApplication(tenant.id, {
    displayName: MANAGEMENT.resourceName,
    api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [] },
    appRoles: [
      {
        id: MANAGEMENT.adminRoleId,
        value: MANAGEMENT.adminRole,
        displayName: "Gatehouse administrator",
        description: "Full access to the Gatehouse admin API.",
        allowedMemberTypes: ["Application"],
        isEnabled: true,
        origin: "Application",
      },
    ],
  });
  await registry.updateApplication(resource.id, { identifierUris: [`api://${resource.appId}`] });
  const client = await registry.createApplication(tenant.id, { displayName: MANAGEMENT.clientName });
  const resourceSp = await registry.createServicePrincipal(tenant.id, resource.appId, {
    appRoleAssignmentRequired: true,
  });
  const clientSp = await registry.createServicePrincipal(tenant.id, client.appId);
  await registry.grantAppRole({
    principalId: clientSp.id,
    resourceId: resourceSp.id,
    appRoleId: MANAGEMENT.adminRoleId,
  });
  const management = { tenantId: tenant.id, resourceAppId: resource.appId, clientAppId: client.appId };
  await registry.setSetting(MANAGEMENT.settings.tenant, management.tenantId);
  await registry.setSetting(MANAGEMENT.settings.resource, management.resourceAppId);
  await registry.setSetting(MANAGEMENT.settings.client, management.clientAppId);
  await issueAdminCredentials(registry, masterKey, dataDir, management);
  return management;
}

async function issueAdminCredentials(registry: Registry, masterKey: MasterKey, dataDir: string, m: Management) {
  const { secretText } = await registry.addPassword(m.clientAppId, { displayName: "bootstrap" });
  const file: AdminClientFile = { tenantId: m.tenantId, clientId: m.clientAppId, resource: `api://${m.resourceAppId}` };
  await writeSealedFile(join(dataDir, ADMIN_CLIENT_FILE), masterKey, SECRET_AAD, file, secretText);
}

export interface AdminClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

export async function readAdminClient(dataDir: string, masterKey: MasterKey): Promise<AdminClientCredentials> {
  const path = join(dataDir, ADMIN_CLIENT_FILE);
  if (!(await fileExists(path))) {
    throw new ManagementError(`no admin client in ${dataDir}: run \`gatehouse init --data ${dataDir}\` first`);
  }
  const file = await readSealedFile<AdminClientFile>(path, masterKey, SECRET_AAD);
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
