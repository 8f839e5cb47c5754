import { randomBytes } from "node:crypto";
import type { Repositories } from "../store/store.js";
import type { StoredSubscription } from "../store/repositories/gateway-subscriptions.js";
import type { StoredNamedValue } from "../store/repositories/gateway-named-values.js";
import type {
  Api,
  Backend,
  NamedValue,
  Operation,
  PolicyScope,
  Product,
  Subscription,
  SubscriptionScope,
} from "./model.js";
import type {
  ApiInput,
  BackendInput,
  NamedValueInput,
  OperationInput,
  ProductInput,
  SubscriptionInput,
} from "./registry.js";
import type { PolicyServices } from "./policy/definition.js";
import { GatewayConflictError, GatewayNotFoundError, GatewayValidationError } from "./registry-errors.js";
import { GatewayReader, publicNamedValue, publicSubscription } from "./registry-reader.js";
import type { GatewaySecrets, KeyName } from "./sealing.js";
import { PolicyChecker, describePolicyScope, referencesBackends, referencesNamedValue } from "./policy-check.js";
import {
  apiFrom,
  apiInputOf,
  backendFrom,
  backendInputOf,
  checkKey,
  namedValueFrom,
  operationFrom,
  operationInputOf,
  operationSignature,
  productFrom,
  productInputOf,
  subscriptionFrom,
} from "./validation.js";
import { formatSubscriptionScope } from "./subscription-scope.js";

/** APIM's keys are 32 lowercase hex characters. */
const generateSubscriptionKey = (): string => randomBytes(16).toString("hex");

/** Drops undefined members, so a patch only changes what it names (null still clears). */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const pathTaken = (api: Api, holder: string) =>
  new GatewayConflictError(`The path '${api.path}' of api '${api.name}' is already used by api '${holder}'.`);

const sameRequests = (operation: Operation, twin: string) =>
  new GatewayConflictError(
    `Operation '${twin}' of api '${operation.api}' already has method ${operation.method} and URL template '${operation.urlTemplate}', so '${operation.name}' cannot have them too.`,
  );

/** A new API with its operations and policy documents, for `createApis`. */
export interface NewApi {
  name: string;
  input: ApiInput;
  policy?: string | undefined;
  operations: { name: string; input: OperationInput; policy?: string | undefined }[];
}

/**
 * The validated changes of one store transaction. Each method checks its input and references against the
 * transaction's own state, writes, and re-checks the stored policies a change could break; an error rolls the whole
 * transaction back. The registry runs one method per transaction; configuration as code runs many (`applyBatch`).
 */
export class GatewayWriter extends GatewayReader {
  private readonly policies: PolicyChecker;

  constructor(repos: Repositories, secrets: GatewaySecrets, services: PolicyServices) {
    super(repos, secrets);
    this.policies = new PolicyChecker(repos, secrets, services);
  }

  // APIs

  async putApi(name: string, input: ApiInput): Promise<{ api: Api; created: boolean }> {
    const api = apiFrom(name, input);
    const { named, atPath } = await this.repos.gatewayApis.lookup(name, api.path);
    await this.saveApi(api, atPath);
    return { api, created: named === undefined };
  }

  async patchApi(name: string, patch: Partial<ApiInput>): Promise<Api> {
    const existing = await this.requireApi(name);
    const api = apiFrom(name, {
      ...apiInputOf(existing),
      ...defined(patch),
      subscriptionKeyParameterNames: {
        ...existing.subscriptionKeyParameterNames,
        ...defined(patch.subscriptionKeyParameterNames ?? {}),
      },
    });
    await this.saveApi(api, (await this.repos.gatewayApis.lookup(name, api.path)).atPath);
    return api;
  }

  private async saveApi(api: Api, atPath: Api | undefined): Promise<void> {
    if (atPath && atPath.name !== api.name) throw pathTaken(api, atPath.name);
    await this.repos.gatewayApis.upsert(api);
    this.apis.set(api.name, api);
  }

  /** Deletes the API with its operations, policies, product links and the subscriptions scoped to it. */
  async deleteApi(name: string): Promise<boolean> {
    if (!(await this.getApi(name))) return false;
    await this.repos.gatewayPolicies.deleteForApi(name);
    await this.repos.gatewaySubscriptions.deleteByScope({ kind: "api", api: name });
    this.apis.set(name, undefined);
    return this.repos.gatewayApis.delete(name);
  }

  /**
   * Creates APIs that do not exist yet, with their operations and policies, in a few statements instead of several
   * per object (configuration as code creating thousands at once). The checks are those of putApi, putOperation and
   * putPolicy, run against the store and the batch itself.
   */
  async createApis(items: readonly NewApi[]): Promise<void> {
    const apis = items.map((item) => apiFrom(item.name, item.input));
    const names = new Set(apis.map((a) => a.name));
    const paths = new Map<string, string>();
    for (const holder of await this.repos.gatewayApis.holding(apis)) {
      if (names.has(holder.name)) throw new GatewayConflictError(`Api '${holder.name}' already exists.`);
      paths.set(holder.path.toLowerCase(), holder.name);
    }
    if (names.size < apis.length) throw new GatewayConflictError("An api name is given twice.");
    const operations: Operation[] = [];
    const documents: { scope: PolicyScope; xml: string; operation?: Operation }[] = [];
    for (const [index, item] of items.entries()) {
      const api = apis[index] as Api;
      const holder = paths.get(api.path.toLowerCase());
      if (holder !== undefined) throw pathTaken(api, holder);
      paths.set(api.path.toLowerCase(), api.name);
      if (item.policy !== undefined) documents.push({ scope: { kind: "api", api: api.name }, xml: item.policy });
      const signatures = new Map<string, string>();
      const opNames = new Set<string>();
      for (const op of item.operations) {
        const operation = operationFrom(api, op.name, op.input);
        if (opNames.has(op.name)) {
          throw new GatewayConflictError(`Operation '${op.name}' of api '${api.name}' is given twice.`);
        }
        opNames.add(op.name);
        const twin = signatures.get(operationSignature(operation));
        if (twin !== undefined) throw sameRequests(operation, twin);
        signatures.set(operationSignature(operation), operation.name);
        operations.push(operation);
        if (op.policy !== undefined) {
          const scope: PolicyScope = { kind: "operation", api: api.name, operation: op.name };
          documents.push({ scope, xml: op.policy, operation });
        }
      }
    }
    for (const d of documents) await this.policies.check(d.scope, d.xml, d.operation);
    await this.repos.gatewayApis.insertMany(apis);
    await this.repos.gatewayOperations.insertMany(operations);
    await this.repos.gatewayPolicies.insertMany(documents.map(({ scope, xml }) => ({ scope, xml })));
    for (const api of apis) this.apis.set(api.name, api);
  }

  // Operations

  async putOperation(
    apiName: string,
    name: string,
    input: OperationInput,
  ): Promise<{ operation: Operation; created: boolean }> {
    const operation = operationFrom(await this.requireApi(apiName), name, input);
    const siblings = await this.repos.gatewayOperations.signatures(apiName);
    const created = !siblings.some((s) => s.name === name);
    await this.saveOperation(operation, siblings, !created);
    return { operation, created };
  }

  async patchOperation(apiName: string, name: string, patch: Partial<OperationInput>): Promise<Operation> {
    const existing = await this.requireOperation(apiName, name);
    const api = await this.requireApi(apiName);
    const operation = operationFrom(api, name, { ...operationInputOf(existing), ...defined(patch) });
    await this.saveOperation(operation, await this.repos.gatewayOperations.signatures(apiName), true);
    return operation;
  }

  private async saveOperation(
    operation: Operation,
    siblings: Pick<Operation, "name" | "method" | "urlTemplate">[],
    replacing: boolean,
  ): Promise<void> {
    const signature = operationSignature(operation);
    const twin = siblings.find((other) => other.name !== operation.name && operationSignature(other) === signature);
    if (twin) throw sameRequests(operation, twin.name);
    await this.repos.gatewayOperations.upsert(operation);
    // mock-response and rewrite-uri compile against the operation: its policy must still load.
    const scope: PolicyScope = { kind: "operation", api: operation.api, operation: operation.name };
    const xml = replacing ? await this.repos.gatewayPolicies.get(scope) : undefined;
    if (xml !== undefined) await this.policies.check(scope, xml);
  }

  async deleteOperation(api: string, name: string): Promise<boolean> {
    await this.repos.gatewayPolicies.delete({ kind: "operation", api, operation: name });
    return this.repos.gatewayOperations.delete(api, name);
  }

  // Policies

  async putPolicy(scope: PolicyScope, xml: string): Promise<{ created: boolean }> {
    await this.requireScope(scope);
    await this.policies.check(scope, xml);
    const existing = await this.repos.gatewayPolicies.get(scope);
    await this.repos.gatewayPolicies.upsert(scope, xml);
    return { created: existing === undefined };
  }

  async deletePolicy(scope: PolicyScope): Promise<boolean> {
    await this.requireScope(scope);
    return this.repos.gatewayPolicies.delete(scope);
  }

  // Products

  async putProduct(name: string, input: ProductInput): Promise<{ product: Product; created: boolean }> {
    const fields = productFrom(name, input);
    const existing = await this.repos.gatewayProducts.get(name);
    const apis = existing?.apis ?? [];
    if (!fields.subscriptionRequired) await this.assertOpenProductFree(name, apis);
    await this.repos.gatewayProducts.upsert(fields);
    return { product: { ...fields, apis }, created: existing === undefined };
  }

  async patchProduct(name: string, patch: Partial<ProductInput>): Promise<Product> {
    const existing = await this.requireProduct(name);
    const fields = productFrom(name, { ...productInputOf(existing), ...defined(patch) });
    if (!fields.subscriptionRequired) await this.assertOpenProductFree(name, existing.apis);
    await this.repos.gatewayProducts.upsert(fields);
    return { ...fields, apis: existing.apis };
  }

  /** Deletes the product with its API links, its policy and the subscriptions scoped to it. */
  async deleteProduct(name: string): Promise<boolean> {
    if (!(await this.repos.gatewayProducts.get(name))) return false;
    await this.repos.gatewayPolicies.delete({ kind: "product", product: name });
    await this.repos.gatewaySubscriptions.deleteByScope({ kind: "product", product: name });
    return this.repos.gatewayProducts.delete(name);
  }

  async addProductApi(productName: string, apiName: string): Promise<{ created: boolean }> {
    const product = await this.requireProduct(productName);
    await this.requireApi(apiName);
    if (!product.subscriptionRequired) await this.assertOpenProductFree(productName, [apiName]);
    return { created: await this.repos.gatewayProducts.addApi(productName, apiName) };
  }

  async removeProductApi(productName: string, apiName: string): Promise<boolean> {
    await this.requireProduct(productName);
    return this.repos.gatewayProducts.removeApi(productName, apiName);
  }

  /** A request without a key runs in the API's open product, so an API may be in at most one (apim.md §4.2). */
  private async assertOpenProductFree(product: string, apis: readonly string[]): Promise<void> {
    for (const api of apis) {
      const open = (await this.repos.gatewayProducts.listContaining(api)).find(
        (p) => p.name !== product && !p.subscriptionRequired,
      );
      if (open) {
        throw new GatewayConflictError(
          `Api '${api}' is already in product '${open.name}', which requires no subscription; an API can be in only one such product.`,
        );
      }
    }
  }

  // Subscriptions

  /** Creates or replaces a subscription; keys not given are kept (replace) or generated (create). */
  async putSubscription(
    name: string,
    input: SubscriptionInput,
  ): Promise<{ subscription: Subscription; created: boolean }> {
    const existing = await this.repos.gatewaySubscriptions.get(name);
    const subscription = await this.saveSubscription(name, input, existing);
    return { subscription, created: existing === undefined };
  }

  async patchSubscription(name: string, patch: Partial<SubscriptionInput>): Promise<Subscription> {
    const existing = await this.repos.gatewaySubscriptions.get(name);
    if (!existing) throw new GatewayNotFoundError("Subscription", name);
    const { createdDate: _created, ...current } = publicSubscription(existing);
    return this.saveSubscription(name, { ...current, ...defined(patch) }, existing);
  }

  async deleteSubscription(name: string): Promise<boolean> {
    return this.repos.gatewaySubscriptions.delete(name);
  }

  async regenerateKey(name: string, which: KeyName): Promise<void> {
    const existing = await this.repos.gatewaySubscriptions.get(name);
    if (!existing) throw new GatewayNotFoundError("Subscription", name);
    const { sealed, digest } = this.keyColumns(name, which, generateSubscriptionKey(), existing);
    await this.repos.gatewaySubscriptions.upsert(
      which === "primary"
        ? { ...existing, sealedPrimaryKey: sealed, primaryKeyDigest: digest }
        : { ...existing, sealedSecondaryKey: sealed, secondaryKeyDigest: digest },
    );
  }

  private async saveSubscription(
    name: string,
    input: SubscriptionInput,
    existing: StoredSubscription | undefined,
  ): Promise<Subscription> {
    const subscription = subscriptionFrom(name, input, existing?.createdDate ?? new Date().toISOString());
    await this.requireSubscriptionScope(subscription.scope);
    const primaryKey = input.primaryKey === undefined ? undefined : checkKey("primaryKey", input.primaryKey);
    const secondaryKey = input.secondaryKey === undefined ? undefined : checkKey("secondaryKey", input.secondaryKey);
    await this.assertKeysFree(
      name,
      [primaryKey, secondaryKey].filter((k): k is string => k !== undefined),
    );
    const primary = this.keyColumns(name, "primary", primaryKey, existing);
    const secondary = this.keyColumns(name, "secondary", secondaryKey, existing);
    await this.repos.gatewaySubscriptions.upsert({
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
    return { sealed: this.secrets.sealKey(name, which, value), digest: this.secrets.keyDigest(value) };
  }

  /** A key identifies its subscription at the gateway, so no two subscriptions may share one. */
  private async assertKeysFree(name: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const holders = await this.repos.gatewaySubscriptions.holdersOf(
      keys.map((k) => this.secrets.keyDigest(k)),
      name,
    );
    if (holders.length > 0) throw new GatewayConflictError("The key is already used by another subscription.");
  }

  private async requireSubscriptionScope(scope: SubscriptionScope): Promise<void> {
    try {
      if (scope.kind === "api") await this.requireApi(scope.api);
      if (scope.kind === "product") await this.requireProduct(scope.product);
    } catch (error) {
      if (!(error instanceof GatewayNotFoundError)) throw error;
      const message = `scope '${formatSubscriptionScope(scope)}' names ${error.kind === "Api" ? "an api" : "a product"} that does not exist.`;
      throw new GatewayValidationError(message, [{ target: "scope", message }]);
    }
  }

  // Named values

  async putNamedValue(name: string, input: NamedValueInput): Promise<{ namedValue: NamedValue; created: boolean }> {
    const existing = await this.repos.gatewayNamedValues.get(name);
    return { namedValue: await this.saveNamedValue(name, input, existing), created: existing === undefined };
  }

  async patchNamedValue(name: string, patch: Partial<NamedValueInput>): Promise<NamedValue> {
    const existing = await this.repos.gatewayNamedValues.get(name);
    if (!existing) throw new GatewayNotFoundError("NamedValue", name);
    const current = { ...publicNamedValue(existing), value: this.secrets.namedValue(existing) };
    return this.saveNamedValue(name, { ...current, ...defined(patch) }, existing);
  }

  private async saveNamedValue(
    name: string,
    input: NamedValueInput,
    existing: StoredNamedValue | undefined,
  ): Promise<NamedValue> {
    const { value, ...namedValue } = namedValueFrom(name, input);
    const holder = await this.repos.gatewayNamedValues.findByDisplayName(namedValue.displayName);
    if (holder && holder.name !== name) {
      throw new GatewayConflictError(
        `The displayName '${namedValue.displayName}' is already used by named value '${holder.name}'.`,
      );
    }
    await this.repos.gatewayNamedValues.upsert({
      ...namedValue,
      storedValue: this.secrets.storeNamedValue(name, value, namedValue.secret),
    });
    this.policies.invalidate();
    if (existing) {
      // Documents that name a backend use its URL and credentials, which may refer to the named value too.
      const broken = await this.policies.firstBroken(
        (xml) => referencesNamedValue(xml, existing.displayName) || referencesBackends(xml),
      );
      if (broken) {
        const message = `Named value '${name}' cannot change this way: ${describePolicyScope(broken.scope)} would no longer load (${broken.error}).`;
        throw new GatewayValidationError(message, [
          { target: describePolicyScope(broken.scope), message: broken.error },
        ]);
      }
    }
    return namedValue;
  }

  /** Refused while a policy uses the named value (APIM: a referenced named value cannot be deleted). */
  async deleteNamedValue(name: string): Promise<boolean> {
    const existing = await this.repos.gatewayNamedValues.get(name);
    if (!existing) return false;
    const user = (await this.repos.gatewayPolicies.list()).find((p) =>
      referencesNamedValue(p.xml, existing.displayName),
    );
    if (user) {
      throw new GatewayConflictError(
        `Named value '${name}' is used by ${describePolicyScope(user.scope)} as {{${existing.displayName}}} and cannot be deleted.`,
      );
    }
    const deleted = await this.repos.gatewayNamedValues.delete(name);
    this.policies.invalidate();
    // A backend entity a policy names may use it in its URL or credentials.
    const broken = await this.policies.firstBroken(referencesBackends);
    if (broken) {
      throw new GatewayConflictError(
        `Named value '${name}' is used through a backend by ${describePolicyScope(broken.scope)} and cannot be deleted (${broken.error}).`,
      );
    }
    return deleted;
  }

  // Backends

  async putBackend(name: string, input: BackendInput): Promise<{ backend: Backend; created: boolean }> {
    const existing = await this.repos.gatewayBackends.get(name);
    return { backend: await this.saveBackend(backendFrom(name, input), existing !== undefined), created: !existing };
  }

  async patchBackend(name: string, patch: Partial<BackendInput>): Promise<Backend> {
    const stored = await this.repos.gatewayBackends.get(name);
    if (!stored) throw new GatewayNotFoundError("Backend", name);
    const existing = this.secrets.backend(stored);
    const backend = backendFrom(name, {
      ...backendInputOf(existing),
      ...defined(patch),
      tls: { ...existing.tls, ...defined(patch.tls ?? {}) },
    });
    return this.saveBackend(backend, true);
  }

  private async saveBackend(backend: Backend, replacing: boolean): Promise<Backend> {
    await this.repos.gatewayBackends.upsert({
      ...backend,
      sealedCredentials: this.secrets.sealCredentials(backend.name, backend.credentials),
    });
    this.policies.invalidate();
    if (replacing) {
      const broken = await this.policies.firstBroken(referencesBackends);
      if (broken) {
        const message = `Backend '${backend.name}' cannot change this way: ${describePolicyScope(broken.scope)} would no longer load (${broken.error}).`;
        throw new GatewayValidationError(message, [
          { target: describePolicyScope(broken.scope), message: broken.error },
        ]);
      }
    }
    return backend;
  }

  /** Refused while a policy's set-backend-service names the backend. */
  async deleteBackend(name: string): Promise<boolean> {
    if (!(await this.repos.gatewayBackends.delete(name))) return false;
    this.policies.invalidate();
    const broken = await this.policies.firstBroken(referencesBackends);
    if (broken) {
      throw new GatewayConflictError(
        `Backend '${name}' is used by ${describePolicyScope(broken.scope)} and cannot be deleted (${broken.error}).`,
      );
    }
    return true;
  }
}
