/**
 * What the data plane compiles, and what every entity of the gateway model shares: the scopes policies attach to.
 * Each entity's own types are in its folder (apis/types.ts …).
 */
import type { ApiDocumentDigest } from "./apis/document-repository.js";
import type { Api } from "./apis/types.js";
import type { Backend } from "./backends/types.js";
import type { CertificateWithMaterial } from "./certificates/types.js";
import type { ClientApplication } from "./client-applications/types.js";
import type { NamedValue } from "./named-values/types.js";
import type { Operation } from "./operations/types.js";
import type { PolicyDocument } from "./policies/types.js";
import type { Product } from "./products/types.js";
import type { Subscription, SubscriptionKeys } from "./subscriptions/types.js";
import type { GatewayTransaction } from "./transaction.js";
import type { Group } from "./groups/types.js";
import type { User } from "./users/types.js";

export type PolicyScope =
  | { kind: "global" }
  | { kind: "product"; product: string }
  | { kind: "api"; api: string }
  | { kind: "operation"; api: string; operation: string };

export type PolicyScopeKind = PolicyScope["kind"];

/** A string key for a scope, for maps of documents. */
export const policyScopeKey = (scope: PolicyScope): string =>
  scope.kind === "global"
    ? "global"
    : scope.kind === "product"
      ? `product:${scope.product}`
      : scope.kind === "api"
        ? `api:${scope.api}`
        : `operation:${scope.api}/${scope.operation}`;

/** Everything the data plane compiles: one consistent version of the gateway configuration. */
export interface GatewayConfiguration {
  revision: number;
  apis: Api[];
  operations: Operation[];
  products: Product[];
  subscriptions: (Subscription & SubscriptionKeys)[];
  /** With values: the server substitutes them into policies. */
  namedValues: (NamedValue & { value: string })[];
  /** With their chains and private keys: policies and backends present them. */
  certificates: CertificateWithMaterial[];
  backends: Backend[];
  policies: PolicyDocument[];
  /** Without password hashes: what `context.User` shows of a subscription's owner. */
  users: User[];
  groups: Group[];
  clientApplications: ClientApplication[];
  /** Which document each imported API came from (not the documents): configuration as code compares them. */
  apiDocuments: ApiDocumentDigest[];
}

/** Everything, with keys and values unsealed, as of the read's revision. */
export async function readConfiguration(tx: GatewayTransaction, revision: number): Promise<GatewayConfiguration> {
  const read = await allOf({
    apis: tx.apis.list(),
    operations: tx.operations.all(),
    products: tx.products.list(),
    subscriptions: tx.subscriptions.withKeys(),
    namedValues: tx.namedValues.withValues(),
    certificates: tx.certificates.withMaterial(),
    backends: tx.backends.list(),
    policies: tx.policies.all(),
    users: tx.users.list(),
    groups: tx.groups.list(),
    clientApplications: tx.clientApplications.list(),
    apiDocuments: tx.apis.documentDigests(),
  });
  return { revision, ...read };
}

/** `Promise.all` by name: each entity is named once, not once in a tuple and again in its order. */
async function allOf<T extends Record<string, Promise<unknown>>>(reads: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const entries = await Promise.all(Object.entries(reads).map(async ([name, read]) => [name, await read] as const));
  return Object.fromEntries(entries) as { [K in keyof T]: Awaited<T[K]> };
}
