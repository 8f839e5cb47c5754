import type { MasterKey } from "../../crypto/master-key.js";
import type { Store } from "../../store/store.js";
import type { PolicyServices } from "../policy/definition.js";
import { readConfiguration, type GatewayConfiguration } from "./configuration.js";
import { ENTITIES, type EntityFacades } from "./entities.js";
import { GatewayConflictError } from "./errors.js";
import { GatewaySecrets } from "./sealing.js";
import { openTransaction, type GatewayTransaction } from "./transaction.js";

/** Unique and foreign-key violations, as PostgreSQL and better-sqlite3 report them. */
const CONSTRAINT_VIOLATIONS = new Set([
  "23505",
  "23503",
  "SQLITE_CONSTRAINT_UNIQUE",
  "SQLITE_CONSTRAINT_PRIMARYKEY",
  "SQLITE_CONSTRAINT_FOREIGNKEY",
]);

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * The gateway registry: the only writer of the gateway model. Every change is validated (names, references, policy
 * documents compiled as the data plane will) and runs in one store transaction; listeners hear of each commit.
 * Each entity is offered as `gateway.<entity>` (`gateway.apis.put(name, input)`), its reads each in a read and its
 * writes each in a transaction of their own; `write` runs many changes in one.
 */
class Registry {
  private readonly listeners = new Set<() => void>();
  private readonly secrets: GatewaySecrets;

  constructor(
    private readonly store: Store,
    masterKey: MasterKey,
    private readonly policyServices: PolicyServices,
  ) {
    this.secrets = new GatewaySecrets(masterKey);
    for (const entity of ENTITIES) {
      const call = (tx: GatewayTransaction, method: string, args: unknown[]) => {
        const object = tx[entity.name] as unknown as Record<string, Method>;
        return (object[method] as Method).apply(object, args);
      };
      const facade: Record<string, Method> = {};
      for (const method of entity.object.reads) {
        facade[method] = (...args) => this.read((tx) => call(tx, method, args));
      }
      for (const method of entity.object.writes) {
        facade[method] = (...args) => this.write((tx) => call(tx, method, args));
      }
      Object.defineProperty(this, entity.name, { enumerable: true, value: Object.freeze(facade) });
    }
  }

  /** Called after every committed write, e.g. to recompile the data plane at once. Returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Runs reads of one or more entities over the store. */
  read<T>(fn: (tx: GatewayTransaction) => Promise<T>): Promise<T> {
    return this.store.read((_repos, db) => fn(this.transaction(db)));
  }

  /** Runs many changes in one transaction (configuration as code), validated as the single calls are. */
  async write<T>(fn: (tx: GatewayTransaction) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await this.store.write((_repos, db) => fn(this.transaction(db)));
    } catch (error) {
      // The checks read before they write; a concurrent writer (PostgreSQL) can slip in between, and the
      // database's own constraints then refuse the write.
      if (CONSTRAINT_VIOLATIONS.has((error as { code?: unknown }).code as string)) {
        throw new GatewayConflictError("The change conflicts with a concurrent change; retry it.");
      }
      throw error;
    }
    this.notify();
    return result;
  }

  /** The whole configuration, keys and values unsealed, as of one revision. */
  configuration(): Promise<GatewayConfiguration> {
    return this.store.readConsistent((_repos, revision, db) => readConfiguration(this.transaction(db), revision));
  }

  private transaction(db: GatewayTransaction["db"]): GatewayTransaction {
    return openTransaction({ db, secrets: this.secrets, services: this.policyServices });
  }

  private notify(): void {
    const errors: unknown[] = [];
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        errors.push(error);
      }
    }
    // Every listener hears of the commit; the first failure is then reported to the caller.
    if (errors.length > 0) throw errors[0];
  }
}

export interface GatewayRegistry extends Registry, EntityFacades {}
/** The entity facades are made from entities.ts in the constructor, so the class is typed with them here. */
export const GatewayRegistry = Registry as new (...args: ConstructorParameters<typeof Registry>) => GatewayRegistry;
