import { sql, type Kysely } from "kysely";
import type { Database } from "../../../store/schema.js";
import type { PolicyScope } from "../configuration.js";
import type { PolicyDocument } from "./types.js";
import { chunks } from "../../../store/repositories/chunks.js";

/** Scope → (kind, key): "" for global, the product or API name, or "api/operation" (names never hold "/"). */
const scopeColumns = (scope: PolicyScope) => ({
  scope_kind: scope.kind,
  scope_key:
    scope.kind === "global"
      ? ""
      : scope.kind === "product"
        ? scope.product
        : scope.kind === "api"
          ? scope.api
          : `${scope.api}/${scope.operation}`,
});

function toScope(kind: string, key: string): PolicyScope {
  if (kind === "product") return { kind, product: key };
  if (kind === "api") return { kind, api: key };
  if (kind === "operation") {
    const slash = key.indexOf("/");
    return { kind, api: key.slice(0, slash), operation: key.slice(slash + 1) };
  }
  return { kind: "global" };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class GatewayPolicyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<PolicyDocument[]> {
    const rows = await this.db
      .selectFrom("gateway_policies")
      .selectAll()
      .orderBy("scope_kind")
      .orderBy("scope_key")
      .execute();
    return rows.map((row) => ({ scope: toScope(row.scope_kind, row.scope_key), xml: row.xml }));
  }

  async get(scope: PolicyScope): Promise<string | undefined> {
    const { scope_kind, scope_key } = scopeColumns(scope);
    const row = await this.db
      .selectFrom("gateway_policies")
      .select("xml")
      .where("scope_kind", "=", scope_kind)
      .where("scope_key", "=", scope_key)
      .executeTakeFirst();
    return row?.xml;
  }

  async upsert(scope: PolicyScope, xml: string): Promise<void> {
    await this.db
      .insertInto("gateway_policies")
      .values({ ...scopeColumns(scope), xml })
      .onConflict((oc) => oc.columns(["scope_kind", "scope_key"]).doUpdateSet({ xml }))
      .execute();
  }

  async insertMany(documents: PolicyDocument[]): Promise<void> {
    for (const group of chunks(documents)) {
      await this.db
        .insertInto("gateway_policies")
        .values(group.map((d) => ({ ...scopeColumns(d.scope), xml: d.xml })))
        .execute();
    }
  }

  async delete(scope: PolicyScope): Promise<boolean> {
    const { scope_kind, scope_key } = scopeColumns(scope);
    const result = await this.db
      .deleteFrom("gateway_policies")
      .where("scope_kind", "=", scope_kind)
      .where("scope_key", "=", scope_key)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The documents of the API's operations. */
  async operationDocuments(api: string): Promise<{ operation: string; xml: string }[]> {
    const rows = await this.db
      .selectFrom("gateway_policies")
      .select(["scope_key", "xml"])
      .where("scope_kind", "=", "operation")
      .where(sql<boolean>`scope_key like ${`${escapeLike(api)}/%`} escape '\\'`)
      .execute();
    return rows.map((row) => ({ operation: row.scope_key.slice(api.length + 1), xml: row.xml }));
  }

  /** Deletes the API's policy and the policies of all its operations. */
  async deleteForApi(api: string): Promise<void> {
    await this.db
      .deleteFrom("gateway_policies")
      .where((eb) =>
        eb.or([
          eb.and([eb("scope_kind", "=", "api"), eb("scope_key", "=", api)]),
          eb.and([
            eb("scope_kind", "=", "operation"),
            sql<boolean>`scope_key like ${`${escapeLike(api)}/%`} escape '\\'`,
          ]),
        ]),
      )
      .execute();
  }
}
