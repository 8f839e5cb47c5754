import { createHash } from "node:crypto";
import { digestsEqual } from "../crypto/secrets.js";
import type { GatewayConfiguration } from "../gateway/model/configuration.js";
import type { EntityObjects } from "../gateway/model/entities.js";
import { GatewayConflictError, GatewayNotFoundError, GatewayValidationError } from "../gateway/model/errors.js";
import type { GatewayTransaction } from "../gateway/model/transaction.js";
import { ConfigError } from "./errors.js";

/** Keys of a subscription created now without keys in the file: shown once, stored only sealed. */
export interface GeneratedSubscriptionKeys {
  subscription: string;
  primaryKey: string;
  secondaryKey: string;
}

export interface PlanStep {
  /** Where in the file the changes come from, for errors. */
  where: string;
  changes: string[];
  run(tx: GatewayTransaction): Promise<void>;
}

/** An entity of the gateway model: each entity's steps run together, in the entities' dependency order. */
export type PlanPhase = keyof EntityObjects;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();
/** Secrets from the file are compared with the stored ones in constant time. */
export const sameSecret = (a: string, b: string) => digestsEqual(sha256(a), sha256(b));

const registryErrors = [GatewayValidationError, GatewayConflictError, GatewayNotFoundError];

/**
 * A registry error names the entry of the file it comes from (and, for a policy document that does not load, the
 * document); anything else is not a configuration error.
 */
export function inFile(where: string, error: unknown): unknown {
  if (!registryErrors.some((type) => error instanceof type)) return error;
  const message = (error as Error).message;
  const target = error instanceof GatewayValidationError ? error.details[0]?.target : undefined;
  return new ConfigError(`${where}: ${target && !message.includes(target) ? `${target}: ` : ""}${message}`);
}

export function located<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw inFile(where, error);
  }
}

/** The entries of one of the section's lists, each with where it is in the file: `gateway.apis[2] (numbers)`. */
export function* entriesOf<T extends { name: string }>(list: string, entries: readonly T[] | undefined) {
  for (const [index, entry] of (entries ?? []).entries())
    yield [`gateway.${list}[${index}] (${entry.name})`, entry] as const;
}

/** Stored objects by name, to compare the file's entries with. */
export const byName = <T extends { name: string }>(items: readonly T[]): Map<string, T> =>
  new Map(items.map((item) => [item.name, item]));

/**
 * The changes that bring the gateway to what a file says, planned by comparing each entry with the stored
 * configuration (`current`), validated as the registry will store them. Each entity's YAML adds its steps to a
 * phase; the phases run in the entities' dependency order.
 */
export class GatewayPlan {
  private readonly phases = new Map<PlanPhase, PlanStep[]>();
  /** Filled while the steps run, by those creating subscriptions without keys in the file. */
  readonly generatedSubscriptionKeys: GeneratedSubscriptionKeys[] = [];

  constructor(
    readonly current: GatewayConfiguration,
    /** The folder policy files are resolved against. */
    readonly baseDir: string,
    phases: readonly PlanPhase[],
  ) {
    for (const phase of phases) this.phases.set(phase, []);
  }

  add(phase: PlanPhase, step: PlanStep): void {
    (this.phases.get(phase) as PlanStep[]).push(step);
  }

  steps(): PlanStep[] {
    return [...this.phases.values()].flat();
  }
}
