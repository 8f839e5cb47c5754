import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.js";
import type { PolicyServices } from "../policy/definition.js";
import { ENTITIES, type EntityObjects } from "./entities.js";
import type { GatewaySecrets } from "./sealing.js";

/** What the entities of one read or write share. */
export interface TransactionContext {
  /** The store's handle for this read, or the write's transaction. */
  readonly db: Kysely<Database>;
  readonly secrets: GatewaySecrets;
  /** What policy documents compile against, to check them as the data plane will load them. */
  readonly services: PolicyServices;
}

/**
 * One read or write of the gateway model: its context and each entity's object (`tx.apis`, `tx.products` …), so
 * one entity's write reaches the others (deleting an API deletes the subscriptions scoped to it). An object is made
 * when first used and holds that entity's caches for the transaction.
 */
export interface GatewayTransaction extends TransactionContext, EntityObjects {}

export function openTransaction(context: TransactionContext): GatewayTransaction {
  // The entity members are defined just below; the object is complete before anyone reads it.
  const tx = { ...context } as GatewayTransaction;
  for (const entity of ENTITIES) {
    let object: object | undefined;
    Object.defineProperty(tx, entity.name, { enumerable: true, get: () => (object ??= new entity.object(tx)) });
  }
  return tx;
}
