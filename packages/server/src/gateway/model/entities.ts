import { apis } from "./apis/index.js";
import type { EntityDefinition } from "./definition.js";
import { backends } from "./backends/index.js";
import { certificates } from "./certificates/index.js";
import { clientApplications } from "./client-applications/index.js";
import { groups } from "./groups/index.js";
import { namedValues } from "./named-values/index.js";
import { operations } from "./operations/index.js";
import { policies } from "./policies/index.js";
import { products } from "./products/index.js";
import { subscriptions } from "./subscriptions/index.js";
import { users } from "./users/index.js";

/**
 * The gateway model's entities, each a folder whose index.ts exports its EntityDefinition (definition.ts), in
 * dependency order: what an entity names (a product its APIs, a policy its scope, a subscription its scope) comes
 * before it. The registry's facades, the transaction's objects, the ARM routes, the YAML section, the order a
 * configuration file is applied in and its export all follow this list.
 */
export const ENTITIES = [
  users,
  groups,
  namedValues,
  certificates,
  backends,
  apis,
  operations,
  products,
  policies,
  subscriptions,
  clientApplications,
] as const satisfies readonly EntityDefinition[];

type Entity = (typeof ENTITIES)[number];
type ObjectOf<E extends Entity> = InstanceType<E["object"]>;
type Offered<E extends Entity> = E["object"]["reads" | "writes"][number];

/** `tx.apis` …: each entity's object in one transaction. */
export type EntityObjects = { readonly [E in Entity as E["name"]]: ObjectOf<E> };

/** `gateway.apis` …: the methods of each entity's object that the registry offers. */
export type EntityFacades = {
  readonly [E in Entity as E["name"]]: { [M in Offered<E>]: M extends keyof ObjectOf<E> ? ObjectOf<E>[M] : never };
};
