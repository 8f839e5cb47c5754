import { randomBytes } from "node:crypto";
import { GatewayConflictError, GatewayNotFoundError, GatewayValidationError } from "../errors.js";
import type { KeyName } from "../sealing.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined } from "../checks.js";
import { GatewaySubscriptionRepository, type StoredSubscription } from "./repository.js";
import { formatSubscriptionScope } from "./scope.js";
import type {
  Subscription,
  SubscriptionInput,
  SubscriptionKeys,
  SubscriptionScope,
  SubscriptionState,
} from "./types.js";
import { checkKey, subscriptionFrom } from "./validation.js";

/** The states in which a subscription holds a place under its product's limit. */
const HOLDING: ReadonlySet<SubscriptionState> = new Set(["active", "submitted", "suspended"]);

/** Whether the subscription holds a place under the limit of this owner's subscriptions to this product. */
const countsTowardsLimit = (subscription: Subscription, owner: string | null, scope: SubscriptionScope): boolean =>
  HOLDING.has(subscription.state) &&
  subscription.owner === owner &&
  subscription.scope.kind === "product" &&
  scope.kind === "product" &&
  subscription.scope.product === scope.product;

/** APIM's keys are 32 lowercase hex characters. */
const generateSubscriptionKey = (): string => randomBytes(16).toString("hex");

const publicSubscription = ({
  sealedPrimaryKey: _p,
  sealedSecondaryKey: _s,
  primaryKeyDigest: _pd,
  secondaryKeyDigest: _sd,
  ...subscription
}: StoredSubscription): Subscription => subscription;

/** The subscriptions of one transaction: keys are sealed, with keyed digests so no two subscriptions share one. */
export class Subscriptions extends EntityObject<GatewaySubscriptionRepository> {
  static readonly reads = ["list", "get", "listSecrets", "ownedBy"] as const;
  static readonly writes = ["put", "patch", "delete", "regenerateKey"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewaySubscriptionRepository);
  }

  async list(): Promise<Subscription[]> {
    return (await this.repository.list()).map(publicSubscription);
  }

  async get(name: string): Promise<Subscription | undefined> {
    const stored = await this.repository.get(name);
    return stored && publicSubscription(stored);
  }

  private async require(name: string): Promise<StoredSubscription> {
    const stored = await this.repository.get(name);
    if (!stored) throw new GatewayNotFoundError("Subscription", name);
    return stored;
  }

  /** Every subscription with its keys unsealed: what the data plane compiles. */
  async withKeys(): Promise<(Subscription & SubscriptionKeys)[]> {
    return (await this.repository.list()).map((s) => ({ ...publicSubscription(s), ...this.tx.secrets.keys(s) }));
  }

  /** APIM's listSecrets: the subscription's two keys. */
  async listSecrets(name: string): Promise<SubscriptionKeys> {
    return this.tx.secrets.keys(await this.require(name));
  }

  /** Creates or replaces a subscription; keys not given are kept (replace) or generated (create). */
  async put(name: string, input: SubscriptionInput): Promise<{ subscription: Subscription; created: boolean }> {
    const existing = await this.repository.get(name);
    const subscription = await this.save(name, input, existing);
    return { subscription, created: existing === undefined };
  }

  async patch(name: string, patch: Partial<SubscriptionInput>): Promise<Subscription> {
    const existing = await this.require(name);
    const { createdDate: _created, ...current } = publicSubscription(existing);
    return this.save(name, { ...current, ...defined(patch) }, existing);
  }

  delete(name: string): Promise<boolean> {
    return this.repository.delete(name);
  }

  async regenerateKey(name: string, which: KeyName): Promise<void> {
    const existing = await this.require(name);
    const { sealed, digest } = this.keyColumns(name, which, generateSubscriptionKey(), existing);
    await this.repository.upsert(
      which === "primary"
        ? { ...existing, sealedPrimaryKey: sealed, primaryKeyDigest: digest }
        : { ...existing, sealedSecondaryKey: sealed, secondaryKeyDigest: digest },
    );
  }

  /** The user's subscriptions. */
  async ownedBy(user: string): Promise<Subscription[]> {
    return (await this.repository.ownedBy(user)).map(publicSubscription);
  }

  /** Deletes the subscriptions scoped to this API or product (it is being deleted). */
  discardScopedTo(scope: SubscriptionScope): Promise<void> {
    return this.repository.deleteByScope(scope);
  }

  private async save(
    name: string,
    input: SubscriptionInput,
    existing: StoredSubscription | undefined,
  ): Promise<Subscription> {
    const subscription = subscriptionFrom(name, input, existing?.createdDate ?? new Date().toISOString());
    await this.requireScope(subscription.scope);
    if (subscription.owner !== null) await this.requireOwner(subscription.owner);
    if (!(existing && countsTowardsLimit(existing, subscription.owner, subscription.scope))) {
      await this.assertWithinLimit(subscription);
    }
    const primaryKey = input.primaryKey === undefined ? undefined : checkKey("primaryKey", input.primaryKey);
    const secondaryKey = input.secondaryKey === undefined ? undefined : checkKey("secondaryKey", input.secondaryKey);
    await this.assertKeysFree(
      name,
      [primaryKey, secondaryKey].filter((k): k is string => k !== undefined),
    );
    const primary = this.keyColumns(name, "primary", primaryKey, existing);
    const secondary = this.keyColumns(name, "secondary", secondaryKey, existing);
    await this.repository.upsert({
      ...subscription,
      sealedPrimaryKey: primary.sealed,
      primaryKeyDigest: primary.digest,
      sealedSecondaryKey: secondary.sealed,
      secondaryKeyDigest: secondary.digest,
    });
    return subscription;
  }

  /** A given key is sealed; without one an existing subscription keeps its key and a new one gets a generated key. */
  private keyColumns(
    name: string,
    which: KeyName,
    key: string | undefined,
    existing: StoredSubscription | undefined,
  ): { sealed: string; digest: string } {
    if (key === undefined && existing) {
      return which === "primary"
        ? { sealed: existing.sealedPrimaryKey, digest: existing.primaryKeyDigest }
        : { sealed: existing.sealedSecondaryKey, digest: existing.secondaryKeyDigest };
    }
    const value = key ?? generateSubscriptionKey();
    return { sealed: this.tx.secrets.sealKey(name, which, value), digest: this.tx.secrets.keyDigest(value) };
  }

  /** A key identifies its subscription at the gateway, so no two subscriptions may share one. */
  private async assertKeysFree(name: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const holders = await this.repository.holdersOf(
      keys.map((k) => this.tx.secrets.keyDigest(k)),
      name,
    );
    if (holders.length > 0) throw new GatewayConflictError("The key is already used by another subscription.");
  }

  /**
   * A product's `subscriptionsLimit` caps the subscriptions one user holds to it (submitted ones too, as in APIM);
   * checked when a subscription starts to count, so editing one that already counts is never refused.
   */
  private async assertWithinLimit(subscription: Subscription): Promise<void> {
    const { owner, scope } = subscription;
    if (owner === null || scope.kind !== "product" || !countsTowardsLimit(subscription, owner, scope)) return;
    const { subscriptionsLimit } = await this.tx.products.require(scope.product);
    if (subscriptionsLimit === null) return;
    const held = (await this.repository.ownedBy(owner)).filter(
      (s) => s.name !== subscription.name && countsTowardsLimit(s, owner, scope),
    );
    if (held.length >= subscriptionsLimit) {
      // API Management's own words.
      throw new GatewayValidationError("Subscriptions limit reached for same user", [
        { target: "scope", message: "Subscriptions limit reached for same user" },
      ]);
    }
  }

  private async requireOwner(owner: string): Promise<void> {
    if (!(await this.tx.users.get(owner))) {
      const message = `ownerId '/users/${owner}' names a user that does not exist.`;
      throw new GatewayValidationError(message, [{ target: "ownerId", message }]);
    }
  }

  private async requireScope(scope: SubscriptionScope): Promise<void> {
    try {
      if (scope.kind === "api") await this.tx.apis.require(scope.api);
      if (scope.kind === "product") await this.tx.products.require(scope.product);
    } catch (error) {
      if (!(error instanceof GatewayNotFoundError)) throw error;
      const message = `scope '${formatSubscriptionScope(scope)}' names ${error.kind === "Api" ? "an api" : "a product"} that does not exist.`;
      throw new GatewayValidationError(message, [{ target: "scope", message }]);
    }
  }
}
