import type { Kysely, Selectable } from "kysely";
import type { Database, GatewaySubscriptionTable } from "../../../store/schema.js";
import type { Subscription, SubscriptionScope, SubscriptionState } from "./types.js";

/** A subscription as stored: its keys sealed, with keyed digests to find a key another subscription uses. */
export interface StoredSubscription extends Subscription {
  sealedPrimaryKey: string;
  sealedSecondaryKey: string;
  primaryKeyDigest: string;
  secondaryKeyDigest: string;
}

const toScope = (kind: string, name: string): SubscriptionScope =>
  kind === "api" ? { kind, api: name } : kind === "product" ? { kind, product: name } : { kind: "allApis" };

const scopeColumns = (scope: SubscriptionScope) => ({
  scope_kind: scope.kind,
  scope_name: scope.kind === "api" ? scope.api : scope.kind === "product" ? scope.product : "",
});

const toSubscription = (row: Selectable<GatewaySubscriptionTable>): StoredSubscription => ({
  name: row.name,
  displayName: row.display_name,
  scope: toScope(row.scope_kind, row.scope_name),
  state: row.state as SubscriptionState,
  allowTracing: row.allow_tracing === 1,
  createdDate: row.created_date,
  startDate: row.start_date,
  expirationDate: row.expiration_date,
  sealedPrimaryKey: row.primary_key,
  sealedSecondaryKey: row.secondary_key,
  primaryKeyDigest: row.primary_key_digest,
  secondaryKeyDigest: row.secondary_key_digest,
});

export class GatewaySubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredSubscription[]> {
    return (await this.db.selectFrom("gateway_subscriptions").selectAll().orderBy("name").execute()).map(
      toSubscription,
    );
  }

  async get(name: string): Promise<StoredSubscription | undefined> {
    const row = await this.db
      .selectFrom("gateway_subscriptions")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  /** Names of other subscriptions that hold a key with one of these digests. */
  async holdersOf(digests: string[], except: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("gateway_subscriptions")
      .select("name")
      .where((eb) => eb.or([eb("primary_key_digest", "in", digests), eb("secondary_key_digest", "in", digests)]))
      .where("name", "!=", except)
      .execute();
    return rows.map((r) => r.name);
  }

  async upsert(subscription: StoredSubscription): Promise<void> {
    const values = {
      display_name: subscription.displayName,
      ...scopeColumns(subscription.scope),
      state: subscription.state,
      allow_tracing: subscription.allowTracing ? 1 : 0,
      primary_key: subscription.sealedPrimaryKey,
      secondary_key: subscription.sealedSecondaryKey,
      primary_key_digest: subscription.primaryKeyDigest,
      secondary_key_digest: subscription.secondaryKeyDigest,
      start_date: subscription.startDate,
      expiration_date: subscription.expirationDate,
    };
    await this.db
      .insertInto("gateway_subscriptions")
      .values({ name: subscription.name, created_date: subscription.createdDate, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_subscriptions").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Deletes the subscriptions scoped to this API or product. */
  async deleteByScope(scope: SubscriptionScope): Promise<void> {
    const { scope_kind, scope_name } = scopeColumns(scope);
    await this.db
      .deleteFrom("gateway_subscriptions")
      .where("scope_kind", "=", scope_kind)
      .where("scope_name", "=", scope_name)
      .execute();
  }
}
