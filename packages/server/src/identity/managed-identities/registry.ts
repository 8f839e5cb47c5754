import { randomUUID } from "node:crypto";
import { generateSecret, hashSecret, secretHint } from "../../crypto/secrets.js";
import type { Repositories } from "../../store/store.js";
import { conflict, invalid, notFound } from "../registry-errors.js";
import type { ServicePrincipal } from "../model.js";
import {
  DEFAULT_RESOURCE_GROUP,
  DEFAULT_SUBSCRIPTION,
  defaultHostResourceId,
  userAssignedResourceId,
  type IdentityHost,
  type ManagedIdentity,
} from "./model.js";
import { parseHostResourceId, parseUserAssignedResourceId, validateName, validateTags } from "./validation.js";

type Write = <T>(fn: (repos: Repositories) => Promise<T>) => Promise<T>;
type Read = <T>(fn: (repos: Repositories) => Promise<T>) => Promise<T>;

/** A host keeps this many header values at most; beyond it, `rotateHeaders` starts over. */
export const MAX_HOST_HEADERS = 10;

export interface UserAssignedInput {
  tenantId: string;
  /** The ARM id; or `name` (with optional subscription and resource group) to make one up. */
  resourceId?: string;
  name?: string;
  subscription?: string;
  resourceGroup?: string;
  location?: string;
  tags?: Record<string, string>;
}

export interface HostInput {
  name: string;
  tenantId: string;
  /** Defaults to an App Service app's id in Gatehouse's made-up subscription. */
  resourceId?: string;
  imds?: boolean;
  systemAssigned?: boolean;
  /** User-assigned identities to attach, by resource id, client id, principal id or name. */
  userAssigned?: string[];
}

export interface HostPatch {
  resourceId?: string;
  imds?: boolean;
  /** true creates the system-assigned identity, false deletes it (and its role assignments). */
  systemAssigned?: boolean;
  /** The whole set of attached user-assigned identities. */
  userAssigned?: string[];
}

/** A host with the value of its identity header, shown once. */
export interface HostWithHeader {
  host: IdentityHost;
  header: string;
}

/**
 * Writes of managed identities and their hosts, validated, each in one store transaction (through the identity
 * registry, so the running server reloads its directory after each). A managed identity is a service principal of
 * type ManagedIdentity plus a row of its own; app roles are granted to it with the registry's `grantAppRole`.
 */
export class ManagedIdentities {
  constructor(
    private readonly write: Write,
    private readonly read: Read,
    private readonly pepper: Buffer,
  ) {}

  // User-assigned identities

  list(filter: { tenantId?: string; kind?: ManagedIdentity["kind"] } = {}): Promise<ManagedIdentity[]> {
    return this.read((repos) => repos.managedIdentities.list(filter));
  }

  /** A managed identity by resource id, client id or principal id; a user-assigned one also by name in its tenant. */
  find(reference: string, tenantId?: string): Promise<ManagedIdentity | undefined> {
    return this.read((repos) => findIdentity(repos, reference, tenantId));
  }

  /** ARM's create-or-replace: a new identity gets new ids; an existing one keeps them (its tenant cannot change). */
  async putUserAssigned(input: UserAssignedInput): Promise<{ identity: ManagedIdentity; created: boolean }> {
    const resourceId = userAssignedId(input);
    const { name } = parseUserAssignedResourceId(resourceId);
    const tags = validateTags(input.tags ?? {});
    return this.write(async (repos) => {
      const existing = await repos.managedIdentities.findByResourceId(resourceId);
      if (existing) {
        if (existing.tenantId !== input.tenantId.toLowerCase()) {
          throw invalid(
            `The identity '${resourceId}' lives in tenant '${existing.tenantId}'; its tenant cannot change.`,
          );
        }
        const next = { ...existing, location: input.location ?? existing.location, tags };
        await repos.managedIdentities.update(next);
        return { identity: next, created: false };
      }
      const identity = await insertIdentity(repos, {
        tenantId: input.tenantId.toLowerCase(),
        kind: "UserAssigned",
        name,
        resourceId,
        location: input.location ?? "local",
        tags,
        host: null,
      });
      return { identity, created: true };
    });
  }

  /** Deletes the identity, its service principal, role assignments and attachments; false when there was none. */
  async deleteUserAssigned(resourceId: string): Promise<boolean> {
    return this.write(async (repos) => {
      const identity = await repos.managedIdentities.findByResourceId(resourceId);
      if (!identity) return false;
      await repos.servicePrincipals.delete(identity.principalId);
      return true;
    });
  }

  // Hosts

  listHosts(tenantId?: string): Promise<IdentityHost[]> {
    return this.read((repos) => repos.managedIdentities.listHosts(tenantId));
  }

  getHost(name: string): Promise<IdentityHost | undefined> {
    return this.read((repos) => repos.managedIdentities.getHost(name));
  }

  /** Creates a host with its first identity-header value, which is returned once. */
  async createHost(input: HostInput): Promise<HostWithHeader> {
    const name = validateName(input.name, "host name");
    const resourceId = parseHostResourceId(input.resourceId ?? defaultHostResourceId(name));
    const header = generateSecret();
    const host = await this.write(async (repos) => {
      const tenantId = input.tenantId.toLowerCase();
      if (!(await repos.tenants.get(tenantId))) throw notFound("Tenant", tenantId);
      if (await repos.managedIdentities.getHost(name)) throw conflict(`A host named '${name}' already exists.`);
      await assertHostResourceFree(repos, resourceId, name);
      if (input.imds) await assertNoOtherImdsHost(repos, name);
      await repos.managedIdentities.insertHost({
        name,
        tenantId,
        resourceId,
        imds: input.imds ?? false,
        systemAssigned: null,
        userAssigned: [],
        createdDateTime: new Date().toISOString(),
      });
      await this.storeHeader(repos, name, header);
      return this.applyIdentities(repos, name, {
        systemAssigned: input.systemAssigned ?? false,
        userAssigned: input.userAssigned ?? [],
      });
    });
    return { host, header };
  }

  async updateHost(name: string, patch: HostPatch): Promise<IdentityHost> {
    const resourceId = patch.resourceId === undefined ? undefined : parseHostResourceId(patch.resourceId);
    return this.write(async (repos) => {
      const host = await requireHost(repos, name);
      if (patch.imds) await assertNoOtherImdsHost(repos, host.name);
      if (resourceId !== undefined) await assertHostResourceFree(repos, resourceId, host.name);
      const next = { ...host, resourceId: resourceId ?? host.resourceId, imds: patch.imds ?? host.imds };
      await repos.managedIdentities.updateHost(next);
      if (resourceId !== undefined && host.systemAssigned) {
        const system = await repos.managedIdentities.get(host.systemAssigned);
        if (system) await repos.managedIdentities.update({ ...system, resourceId });
      }
      return this.applyIdentities(repos, host.name, patch);
    });
  }

  /** Deletes the host, its system-assigned identity (with its role assignments) and its header values. */
  async deleteHost(name: string): Promise<boolean> {
    return this.write(async (repos) => {
      const host = await repos.managedIdentities.getHost(name);
      if (!host) return false;
      if (host.systemAssigned) await repos.servicePrincipals.delete(host.systemAssigned);
      await repos.managedIdentities.deleteHost(host.name);
      return true;
    });
  }

  async attach(hostName: string, reference: string): Promise<IdentityHost> {
    return this.write(async (repos) => {
      const host = await requireHost(repos, hostName);
      const identity = await requireUserAssigned(repos, reference, host.tenantId);
      if (host.userAssigned.includes(identity.principalId)) return host;
      await repos.managedIdentities.attach(host.name, identity.principalId);
      return requireHost(repos, host.name);
    });
  }

  async detach(hostName: string, reference: string): Promise<IdentityHost> {
    return this.write(async (repos) => {
      const host = await requireHost(repos, hostName);
      const identity = await requireUserAssigned(repos, reference, host.tenantId);
      if (!host.userAssigned.includes(identity.principalId)) {
        throw notFound(`Attached identity of host '${host.name}'`, reference);
      }
      await repos.managedIdentities.detach(host.name, identity.principalId);
      return requireHost(repos, host.name);
    });
  }

  /** A further value of the host's identity header; the ones given before keep working. */
  async addHeader(hostName: string): Promise<string> {
    const header = generateSecret();
    await this.write(async (repos) => {
      const host = await requireHost(repos, hostName);
      if ((await repos.managedIdentities.listHeaders(host.name)).length >= MAX_HOST_HEADERS) {
        throw invalid(
          `Host '${host.name}' already has ${MAX_HOST_HEADERS} identity-header values: rotate them to start over.`,
        );
      }
      await this.storeHeader(repos, host.name, header);
    });
    return header;
  }

  /** Revokes every value of the host's identity header and returns its one new value. */
  async rotateHeaders(hostName: string): Promise<string> {
    const header = generateSecret();
    await this.write(async (repos) => {
      const host = await requireHost(repos, hostName);
      await repos.managedIdentities.deleteHeaders(host.name);
      await this.storeHeader(repos, host.name, header);
    });
    return header;
  }

  private async storeHeader(repos: Repositories, host: string, header: string): Promise<void> {
    await repos.managedIdentities.addHeader({
      keyId: randomUUID(),
      host,
      hash: hashSecret(this.pepper, header).toString("base64url"),
      hint: secretHint(header),
      createdDateTime: new Date().toISOString(),
    });
  }

  /** Brings the host's system-assigned identity and attachments to what `wanted` says (absent: unchanged). */
  private async applyIdentities(
    repos: Repositories,
    name: string,
    wanted: Pick<HostPatch, "systemAssigned" | "userAssigned">,
  ): Promise<IdentityHost> {
    const host = await requireHost(repos, name);
    if (wanted.systemAssigned === true && !host.systemAssigned) {
      await insertIdentity(repos, {
        tenantId: host.tenantId,
        kind: "SystemAssigned",
        name: host.name,
        resourceId: host.resourceId,
        location: "",
        tags: {},
        host: host.name,
      });
    } else if (wanted.systemAssigned === false && host.systemAssigned) {
      await repos.servicePrincipals.delete(host.systemAssigned);
    }
    if (wanted.userAssigned !== undefined) {
      const ids = new Set<string>();
      for (const reference of wanted.userAssigned) {
        ids.add((await requireUserAssigned(repos, reference, host.tenantId)).principalId);
      }
      for (const id of host.userAssigned) if (!ids.has(id)) await repos.managedIdentities.detach(host.name, id);
      for (const id of ids) if (!host.userAssigned.includes(id)) await repos.managedIdentities.attach(host.name, id);
    }
    return requireHost(repos, name);
  }
}

function userAssignedId(input: UserAssignedInput): string {
  if (input.resourceId !== undefined) return input.resourceId;
  if (input.name === undefined) throw invalid("Give the identity's resource id or its name.");
  return userAssignedResourceId(
    input.subscription ?? DEFAULT_SUBSCRIPTION,
    input.resourceGroup ?? DEFAULT_RESOURCE_GROUP,
    validateName(input.name, "identity name"),
  );
}

/** The service principal first (the identity's row refers to it), then the identity's own facts. */
async function insertIdentity(
  repos: Repositories,
  facts: Omit<ManagedIdentity, "principalId" | "clientId" | "createdDateTime">,
): Promise<ManagedIdentity> {
  if (!(await repos.tenants.get(facts.tenantId))) throw notFound("Tenant", facts.tenantId);
  const createdDateTime = new Date().toISOString();
  const sp: ServicePrincipal = {
    id: randomUUID(),
    appId: randomUUID(),
    tenantId: facts.tenantId,
    displayName: facts.name,
    accountEnabled: true,
    appRoleAssignmentRequired: false,
    servicePrincipalType: "ManagedIdentity",
    createdDateTime,
  };
  await repos.servicePrincipals.insert(sp);
  const identity: ManagedIdentity = { ...facts, principalId: sp.id, clientId: sp.appId, createdDateTime };
  await repos.managedIdentities.insert(identity);
  return identity;
}

async function findIdentity(
  repos: Repositories,
  reference: string,
  tenantId?: string,
): Promise<ManagedIdentity | undefined> {
  const byResource = await repos.managedIdentities.findByResourceId(reference);
  if (byResource) return byResource;
  const key = reference.toLowerCase();
  const all = await repos.managedIdentities.list(tenantId ? { tenantId } : {});
  const byId = all.find((i) => i.clientId === key || i.principalId === key);
  if (byId) return byId;
  const byName = all.filter((i) => i.kind === "UserAssigned" && i.name.toLowerCase() === key);
  if (byName.length > 1) throw invalid(`More than one identity is named '${reference}': give its resource id.`);
  return byName[0];
}

async function requireUserAssigned(repos: Repositories, reference: string, tenantId: string): Promise<ManagedIdentity> {
  const identity = await findIdentity(repos, reference, tenantId);
  if (!identity || identity.kind !== "UserAssigned" || identity.tenantId !== tenantId) {
    throw notFound(`User-assigned identity in tenant '${tenantId}'`, reference);
  }
  return identity;
}

async function requireHost(repos: Repositories, name: string): Promise<IdentityHost> {
  const host = await repos.managedIdentities.getHost(name);
  if (!host) throw notFound("Host", name);
  return host;
}

async function assertHostResourceFree(repos: Repositories, resourceId: string, name: string): Promise<void> {
  const other = await repos.managedIdentities.findHostByResourceId(resourceId);
  if (other && other.name !== name) throw conflict(`Host '${other.name}' already has the resource id '${resourceId}'.`);
}

async function assertNoOtherImdsHost(repos: Repositories, name: string): Promise<void> {
  const other = (await repos.managedIdentities.listHosts()).find((h) => h.imds && h.name !== name);
  if (other) throw conflict(`Host '${other.name}' already answers IMDS requests of this machine; only one host can.`);
}
