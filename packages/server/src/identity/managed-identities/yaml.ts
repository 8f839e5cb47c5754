/**
 * Managed identities in configuration files: a tenant's `managedIdentities:` (user-assigned identities and hosts, with
 * the app roles granted to them), applied through the registry like the rest of the file: created or updated, never
 * deleted when absent, and absent properties keep what is stored. A host's identity-header value is never part of the
 * file, the apply's report or the export: `gatehouse identity env <host>` gives one.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { ConfigError } from "../../config/errors.js";
import { guid } from "../../config/fields.js";
import type { StoredApplication } from "../../store/repositories/applications.js";
import {
  exportFederatedCredentials,
  federatedIdentityCredentialConfig,
  reconcileFederatedCredentials,
} from "../federation/yaml.js";
import type { AppRoleAssignment, ServicePrincipal, StoredFederatedCredential } from "../model.js";
import { RegistryError } from "../registry-errors.js";
import type { Registry } from "../registry.js";
import { grantRoleToIdentity } from "./grants.js";
import {
  DEFAULT_RESOURCE_GROUP,
  DEFAULT_SUBSCRIPTION,
  defaultHostResourceId,
  userAssignedResourceId,
  type IdentityHost,
  type ManagedIdentity,
} from "./model.js";
import type { HostPatch } from "./registry.js";
import { parseUserAssignedResourceId } from "./validation.js";

/** One app role granted by admin consent: the resource by appId and the role by id or value, as requiredResourceAccess names them. */
const appRoleAssignment = z
  .strictObject({ resourceAppId: guid, id: guid.optional(), value: z.string().min(1).optional() })
  .refine((a) => (a.id === undefined) !== (a.value === undefined), "give the app role by id or by value");

const userAssignedEntry = z.strictObject({
  name: z.string().min(1),
  /** Of its resource id; default Gatehouse's made-up subscription and resource group. */
  subscription: z.string().min(1).optional(),
  resourceGroup: z.string().min(1).optional(),
  location: z.string().min(1).max(80).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  appRoleAssignments: z.array(appRoleAssignment).optional(),
  /** Trusted external tokens instead of a host (workload identity federation), as on an application. */
  federatedIdentityCredentials: z.array(federatedIdentityCredentialConfig).optional(),
});

const hostEntry = z.strictObject({
  name: z.string().min(1),
  /** Default: an App Service app's id, `…/providers/Microsoft.Web/sites/<name>`. */
  resourceId: z.string().min(1).optional(),
  /** Serve it at the IMDS endpoint to callers on this machine (one host at most). */
  imds: z.boolean().optional(),
  systemAssigned: z.boolean().optional(),
  /** The whole set of attached user-assigned identities of the tenant, by name or resource id. */
  userAssigned: z.array(z.string().min(1)).optional(),
  /** Granted to the host's system-assigned identity. */
  appRoleAssignments: z.array(appRoleAssignment).optional(),
});

export const managedIdentitiesConfig = z.strictObject({
  userAssigned: z.array(userAssignedEntry).optional(),
  hosts: z.array(hostEntry).optional(),
});

export type ManagedIdentitiesConfig = z.infer<typeof managedIdentitiesConfig>;
type AppRoleAssignmentConfig = z.infer<typeof appRoleAssignment>;

/** A refusal of the registry names the file's entry it comes from. */
async function inEntry<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RegistryError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Brings the tenant's managed identities to what the file says; user-assigned ones first, so hosts can attach them. */
export async function reconcileManagedIdentities(
  registry: Registry,
  tenantId: string,
  config: ManagedIdentitiesConfig,
  changes: string[],
): Promise<void> {
  for (const entry of config.userAssigned ?? []) {
    const identity = await reconcileUserAssigned(registry, tenantId, entry, changes);
    await grantRoles(registry, identity, entry.appRoleAssignments, `managed identity ${entry.name}`, changes);
    const owner = { kind: "identity", id: identity.principalId } as const;
    const label = `managed identity ${entry.name}`;
    await reconcileFederatedCredentials(registry, owner, entry.federatedIdentityCredentials, label, changes);
  }
  for (const entry of config.hosts ?? []) {
    const host = await reconcileHost(registry, tenantId, entry, changes);
    if (!entry.appRoleAssignments?.length) continue;
    const system =
      host.systemAssigned === null ? undefined : await registry.managedIdentities.find(host.systemAssigned);
    if (!system) {
      throw new ConfigError(
        `host ${entry.name}: appRoleAssignments are granted to its system-assigned identity; set systemAssigned: true`,
      );
    }
    await grantRoles(registry, system, entry.appRoleAssignments, `host ${entry.name}`, changes);
  }
}

async function reconcileUserAssigned(
  registry: Registry,
  tenantId: string,
  entry: z.infer<typeof userAssignedEntry>,
  changes: string[],
): Promise<ManagedIdentity> {
  const where = `managed identity ${entry.name}`;
  const identities = registry.managedIdentities;
  const resourceId = userAssignedResourceId(
    entry.subscription ?? DEFAULT_SUBSCRIPTION,
    entry.resourceGroup ?? DEFAULT_RESOURCE_GROUP,
    entry.name,
  );
  const existing = await inEntry(where, () => identities.find(resourceId));
  const tags = entry.tags ?? existing?.tags ?? {};
  if (
    existing?.kind === "UserAssigned" &&
    existing.tenantId === tenantId &&
    (entry.location === undefined || entry.location === existing.location) &&
    isDeepStrictEqual(tags, existing.tags)
  ) {
    return existing;
  }
  const { identity, created } = await inEntry(where, () =>
    identities.putUserAssigned({
      tenantId,
      resourceId,
      tags,
      ...(entry.location !== undefined ? { location: entry.location } : {}),
    }),
  );
  changes.push(`${created ? "created" : "updated"} managed identity ${entry.name} (clientId ${identity.clientId})`);
  return identity;
}

async function reconcileHost(
  registry: Registry,
  tenantId: string,
  entry: z.infer<typeof hostEntry>,
  changes: string[],
): Promise<IdentityHost> {
  const where = `host ${entry.name}`;
  const identities = registry.managedIdentities;
  const existing = await identities.getHost(entry.name);
  if (!existing) {
    // The host's first identity-header value is neither shown nor kept: `gatehouse identity env` gives one.
    const { host } = await inEntry(where, () =>
      identities.createHost({
        name: entry.name,
        tenantId,
        ...(entry.resourceId !== undefined ? { resourceId: entry.resourceId } : {}),
        imds: entry.imds ?? false,
        systemAssigned: entry.systemAssigned ?? false,
        userAssigned: entry.userAssigned ?? [],
      }),
    );
    changes.push(`created host ${entry.name} (its variables: gatehouse identity env ${entry.name})`);
    return host;
  }
  if (existing.tenantId !== tenantId) {
    throw new ConfigError(`${where}: the host belongs to tenant ${existing.tenantId}; its tenant cannot change`);
  }
  const patch: HostPatch = {};
  if (entry.resourceId !== undefined && entry.resourceId !== existing.resourceId) patch.resourceId = entry.resourceId;
  if (entry.imds !== undefined && entry.imds !== existing.imds) patch.imds = entry.imds;
  if (entry.systemAssigned !== undefined && entry.systemAssigned !== (existing.systemAssigned !== null)) {
    patch.systemAssigned = entry.systemAssigned;
  }
  if (entry.userAssigned !== undefined) {
    const wanted = new Set<string>();
    for (const reference of entry.userAssigned) {
      const identity = await inEntry(where, () => identities.find(reference, tenantId));
      if (identity?.kind !== "UserAssigned") {
        throw new ConfigError(`${where}: userAssigned names no user-assigned identity '${reference}' of its tenant`);
      }
      wanted.add(identity.principalId);
    }
    if (!isDeepStrictEqual(wanted, new Set(existing.userAssigned))) patch.userAssigned = entry.userAssigned;
  }
  if (Object.keys(patch).length === 0) return existing;
  const host = await inEntry(where, () => identities.updateHost(existing.name, patch));
  changes.push(`updated host ${entry.name}`);
  return host;
}

async function grantRoles(
  registry: Registry,
  identity: ManagedIdentity,
  grants: readonly AppRoleAssignmentConfig[] | undefined,
  where: string,
  changes: string[],
): Promise<void> {
  for (const grant of grants ?? []) {
    const role = grant.value ?? (grant.id as string);
    const { created } = await inEntry(where, () => grantRoleToIdentity(registry, identity, grant.resourceAppId, role));
    if (created) changes.push(`granted ${where} → ${grant.resourceAppId} role ${role}`);
  }
}

/** What the export reads from the store, in one transaction. */
export interface ManagedIdentitiesSnapshot {
  identities: readonly ManagedIdentity[];
  hosts: readonly IdentityHost[];
  servicePrincipals: readonly ServicePrincipal[];
  assignments: readonly AppRoleAssignment[];
  applications: readonly StoredApplication[];
  federated: readonly StoredFederatedCredential[];
}

/** The tenant's `managedIdentities:` that, applied, changes nothing; undefined when it has none. No header values. */
export function exportManagedIdentities(
  tenantId: string,
  snapshot: ManagedIdentitiesSnapshot,
): ManagedIdentitiesConfig | undefined {
  const inTenant = snapshot.identities.filter((i) => i.tenantId === tenantId);
  const userAssigned = inTenant.filter((i) => i.kind === "UserAssigned");
  const hosts = snapshot.hosts.filter((h) => h.tenantId === tenantId);
  if (userAssigned.length === 0 && hosts.length === 0) return undefined;
  const byId = new Map(inTenant.map((i) => [i.principalId, i]));
  // An attached identity is named by its name, or by its resource id where the name is not unique in the tenant.
  const reference = (identity: ManagedIdentity) =>
    userAssigned.filter((i) => i.name.toLowerCase() === identity.name.toLowerCase()).length > 1
      ? identity.resourceId
      : identity.name;
  const grants = (principalId: string) => {
    const list = snapshot.assignments.flatMap((assignment): AppRoleAssignmentConfig[] => {
      if (assignment.principalId !== principalId) return [];
      const resource = snapshot.servicePrincipals.find((sp) => sp.id === assignment.resourceId);
      if (!resource) return [];
      const app = snapshot.applications.find((a) => a.appId === resource.appId);
      const value = app?.appRoles.find((r) => r.id === assignment.appRoleId)?.value;
      return [{ resourceAppId: resource.appId, ...(value ? { value } : { id: assignment.appRoleId }) }];
    });
    return list.length > 0 ? { appRoleAssignments: list } : {};
  };
  return {
    ...(userAssigned.length > 0
      ? {
          userAssigned: userAssigned.map((identity) => {
            const { subscription, resourceGroup } = parseUserAssignedResourceId(identity.resourceId);
            return {
              name: identity.name,
              ...(subscription !== DEFAULT_SUBSCRIPTION ? { subscription } : {}),
              ...(resourceGroup !== DEFAULT_RESOURCE_GROUP ? { resourceGroup } : {}),
              location: identity.location,
              ...(Object.keys(identity.tags).length > 0 ? { tags: { ...identity.tags } } : {}),
              ...grants(identity.principalId),
              ...exportFederatedCredentials(snapshot.federated, { kind: "identity", id: identity.principalId }),
            };
          }),
        }
      : {}),
    ...(hosts.length > 0
      ? {
          hosts: hosts.map((host) => {
            const attached = host.userAssigned.flatMap((id) => byId.get(id) ?? []);
            return {
              name: host.name,
              ...(host.resourceId !== defaultHostResourceId(host.name) ? { resourceId: host.resourceId } : {}),
              ...(host.imds ? { imds: true } : {}),
              systemAssigned: host.systemAssigned !== null,
              ...(attached.length > 0 ? { userAssigned: attached.map(reference) } : {}),
              ...(host.systemAssigned !== null ? grants(host.systemAssigned) : {}),
            };
          }),
        }
      : {}),
  };
}
