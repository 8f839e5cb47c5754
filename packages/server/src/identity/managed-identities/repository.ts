import type { Kysely, Selectable } from "kysely";
import type { Database, IdentityHostHeaderTable, IdentityHostTable, ManagedIdentityTable } from "../../store/schema.js";
import type { HostHeader, IdentityHost, ManagedIdentity, ManagedIdentityKind } from "./model.js";

const toIdentity = (row: Selectable<ManagedIdentityTable>): ManagedIdentity => ({
  principalId: row.principal_id,
  clientId: "",
  tenantId: row.tenant_id,
  kind: row.kind as ManagedIdentityKind,
  name: row.name,
  resourceId: row.resource_id,
  location: row.location,
  tags: JSON.parse(row.tags) as Record<string, string>,
  host: row.host,
  createdDateTime: row.created_at,
});

const toHeader = (row: Selectable<IdentityHostHeaderTable>): HostHeader => ({
  keyId: row.key_id,
  host: row.host,
  hash: row.hash,
  hint: row.hint,
  createdDateTime: row.created_at,
});

/** Managed identities, their hosts, attachments and header hashes. Names and resource ids match case-insensitively. */
export class ManagedIdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private identities() {
    return this.db
      .selectFrom("managed_identities")
      .innerJoin("service_principals", "service_principals.id", "managed_identities.principal_id")
      .selectAll("managed_identities")
      .select("service_principals.app_id");
  }

  async list(filter: { tenantId?: string; kind?: ManagedIdentityKind } = {}): Promise<ManagedIdentity[]> {
    let query = this.identities();
    if (filter.tenantId) query = query.where("managed_identities.tenant_id", "=", filter.tenantId);
    if (filter.kind) query = query.where("managed_identities.kind", "=", filter.kind);
    const rows = await query.orderBy("managed_identities.created_at").orderBy("managed_identities.name").execute();
    return rows.map((row) => ({ ...toIdentity(row), clientId: row.app_id }));
  }

  async get(principalId: string): Promise<ManagedIdentity | undefined> {
    const row = await this.identities().where("managed_identities.principal_id", "=", principalId).executeTakeFirst();
    return row && { ...toIdentity(row), clientId: row.app_id };
  }

  async findByResourceId(resourceId: string): Promise<ManagedIdentity | undefined> {
    const row = await this.identities()
      .where("managed_identities.resource_key", "=", resourceId.toLowerCase())
      .executeTakeFirst();
    return row && { ...toIdentity(row), clientId: row.app_id };
  }

  /** The service principal row is inserted first (by the caller); this adds the identity's own facts. */
  async insert(identity: ManagedIdentity): Promise<void> {
    await this.db
      .insertInto("managed_identities")
      .values({
        principal_id: identity.principalId,
        tenant_id: identity.tenantId,
        kind: identity.kind,
        name: identity.name,
        resource_id: identity.resourceId,
        resource_key: resourceKey(identity),
        location: identity.location,
        tags: JSON.stringify(identity.tags),
        host: identity.host,
        created_at: identity.createdDateTime,
      })
      .execute();
  }

  async update(identity: ManagedIdentity): Promise<void> {
    await this.db
      .updateTable("managed_identities")
      .set({
        resource_id: identity.resourceId,
        resource_key: resourceKey(identity),
        location: identity.location,
        tags: JSON.stringify(identity.tags),
      })
      .where("principal_id", "=", identity.principalId)
      .execute();
  }

  // Hosts

  async listHosts(tenantId?: string): Promise<IdentityHost[]> {
    let query = this.db.selectFrom("identity_hosts").selectAll();
    if (tenantId) query = query.where("tenant_id", "=", tenantId);
    const rows = await query.orderBy("created_at").orderBy("name").execute();
    if (rows.length === 0) return [];
    const [system, attached] = await Promise.all([
      this.db.selectFrom("managed_identities").select(["principal_id", "host"]).where("host", "is not", null).execute(),
      this.db.selectFrom("identity_host_attachments").selectAll().orderBy("principal_id").execute(),
    ]);
    return rows.map((row) => toHost(row, system, attached));
  }

  async getHost(name: string): Promise<IdentityHost | undefined> {
    const row = await this.db
      .selectFrom("identity_hosts")
      .selectAll()
      .where("name_key", "=", name.toLowerCase())
      .executeTakeFirst();
    if (!row) return undefined;
    const [system, attached] = await Promise.all([
      this.db.selectFrom("managed_identities").select(["principal_id", "host"]).where("host", "=", row.name).execute(),
      this.db
        .selectFrom("identity_host_attachments")
        .selectAll()
        .where("host", "=", row.name)
        .orderBy("principal_id")
        .execute(),
    ]);
    return toHost(row, system, attached);
  }

  async findHostByResourceId(resourceId: string): Promise<IdentityHost | undefined> {
    const row = await this.db
      .selectFrom("identity_hosts")
      .select("name")
      .where("resource_key", "=", resourceId.toLowerCase())
      .executeTakeFirst();
    return row && this.getHost(row.name);
  }

  async insertHost(host: IdentityHost): Promise<void> {
    await this.db
      .insertInto("identity_hosts")
      .values({
        name: host.name,
        name_key: host.name.toLowerCase(),
        tenant_id: host.tenantId,
        resource_id: host.resourceId,
        resource_key: host.resourceId.toLowerCase(),
        imds: host.imds ? 1 : 0,
        created_at: host.createdDateTime,
      })
      .execute();
  }

  async updateHost(host: IdentityHost): Promise<void> {
    await this.db
      .updateTable("identity_hosts")
      .set({ resource_id: host.resourceId, resource_key: host.resourceId.toLowerCase(), imds: host.imds ? 1 : 0 })
      .where("name", "=", host.name)
      .execute();
  }

  async deleteHost(name: string): Promise<void> {
    await this.db.deleteFrom("identity_hosts").where("name", "=", name).execute();
  }

  async attach(host: string, principalId: string): Promise<void> {
    await this.db.insertInto("identity_host_attachments").values({ host, principal_id: principalId }).execute();
  }

  async detach(host: string, principalId: string): Promise<void> {
    await this.db
      .deleteFrom("identity_host_attachments")
      .where("host", "=", host)
      .where("principal_id", "=", principalId)
      .execute();
  }

  /** Hosts a user-assigned identity is attached to. */
  async hostsOf(principalId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("identity_host_attachments")
      .select("host")
      .where("principal_id", "=", principalId)
      .orderBy("host")
      .execute();
    return rows.map((r) => r.host);
  }

  // Header values

  async listHeaders(host?: string): Promise<HostHeader[]> {
    let query = this.db.selectFrom("identity_host_headers").selectAll();
    if (host) query = query.where("host", "=", host);
    return (await query.orderBy("created_at").orderBy("key_id").execute()).map(toHeader);
  }

  async addHeader(header: HostHeader): Promise<void> {
    await this.db
      .insertInto("identity_host_headers")
      .values({
        key_id: header.keyId,
        host: header.host,
        hash: header.hash,
        hint: header.hint,
        created_at: header.createdDateTime,
      })
      .execute();
  }

  async deleteHeaders(host: string): Promise<void> {
    await this.db.deleteFrom("identity_host_headers").where("host", "=", host).execute();
  }
}

/** A system-assigned identity's key is its host's resource id marked as such, so a user-assigned one cannot take it. */
const resourceKey = (identity: ManagedIdentity) =>
  `${identity.kind === "SystemAssigned" ? "system:" : ""}${identity.resourceId.toLowerCase()}`;

function toHost(
  row: Selectable<IdentityHostTable>,
  system: { principal_id: string; host: string | null }[],
  attached: { host: string; principal_id: string }[],
): IdentityHost {
  return {
    name: row.name,
    tenantId: row.tenant_id,
    resourceId: row.resource_id,
    imds: row.imds === 1,
    systemAssigned: system.find((s) => s.host === row.name)?.principal_id ?? null,
    userAssigned: attached.filter((a) => a.host === row.name).map((a) => a.principal_id),
    createdDateTime: row.created_at,
  };
}
