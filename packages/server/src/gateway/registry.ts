import type { MasterKey } from "../crypto/master-key.js";
import type { Repositories, Store } from "../store/store.js";
import type {
  Api,
  ApiProtocol,
  ApiType,
  Backend,
  BackendCredentials,
  GatewayConfiguration,
  NamedValue,
  Operation,
  OperationResponse,
  PolicyScope,
  Product,
  ProductState,
  Subscription,
  SubscriptionKeyParameterNames,
  SubscriptionKeys,
  SubscriptionScope,
  SubscriptionState,
} from "./model.js";
import type { PolicyServices } from "./policy/definition.js";
import { GatewayReader } from "./registry-reader.js";
import { GatewayWriter } from "./registry-writer.js";
import { GatewaySecrets } from "./sealing.js";
import { GatewayConflictError } from "./registry-errors.js";

/** Unique and foreign-key violations, as PostgreSQL and better-sqlite3 report them. */
const CONSTRAINT_VIOLATIONS = new Set([
  "23505",
  "23503",
  "SQLITE_CONSTRAINT_UNIQUE",
  "SQLITE_CONSTRAINT_PRIMARYKEY",
  "SQLITE_CONSTRAINT_FOREIGNKEY",
]);

/** An API as given to PUT (APIM's property names); absent members take APIM's defaults. */
export interface ApiInput {
  displayName: string;
  /** URL suffix; leading and trailing slashes are dropped. */
  path: string;
  description?: string | null;
  serviceUrl?: string | null;
  /** Default ["https"]. */
  protocols?: ApiProtocol[];
  /** Default "http". */
  apiType?: ApiType;
  /** Default true. */
  subscriptionRequired?: boolean;
  /** Default DEFAULT_KEY_NAMES, per member. */
  subscriptionKeyParameterNames?: Partial<SubscriptionKeyParameterNames>;
}

export interface OperationInput {
  displayName: string;
  /** An HTTP method (upper-cased when stored) or `*`. */
  method: string;
  urlTemplate: string;
  description?: string | null;
  responses?: OperationResponse[];
}

export interface ProductInput {
  displayName: string;
  description?: string | null;
  terms?: string | null;
  /** Default "notPublished". */
  state?: ProductState;
  /** Default true. */
  subscriptionRequired?: boolean;
  /** Default false. */
  approvalRequired?: boolean;
  subscriptionsLimit?: number | null;
}

export interface SubscriptionInput {
  displayName: string;
  scope: SubscriptionScope;
  /** Default "active". */
  state?: SubscriptionState;
  /** Default false. */
  allowTracing?: boolean;
  /** Generated (32 hex characters) when creating without one; kept when replacing without one. */
  primaryKey?: string;
  secondaryKey?: string;
  startDate?: string | null;
  expirationDate?: string | null;
}

export interface NamedValueInput {
  /** Default: the name. */
  displayName?: string;
  value: string;
  /** Default false. Secret values are sealed and never returned by get/list. */
  secret?: boolean;
  tags?: string[];
}

export interface BackendInput {
  url: string;
  /** Default "http". */
  protocol?: Backend["protocol"];
  title?: string | null;
  description?: string | null;
  credentials?: BackendCredentials | null;
  /** Both default true. */
  tls?: Partial<Backend["tls"]>;
}

/**
 * The gateway registry: the only writer of the gateway model. Every change is validated (names, references, policy
 * documents compiled as the data plane will) and runs in one store transaction; listeners hear of each commit.
 */
export class GatewayRegistry {
  private readonly listeners = new Set<() => void>();
  private readonly secrets: GatewaySecrets;

  constructor(
    private readonly store: Store,
    masterKey: MasterKey,
    private readonly policyServices: PolicyServices,
  ) {
    this.secrets = new GatewaySecrets(masterKey);
  }

  /** Called after every committed write, e.g. to recompile the data plane at once. Returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Runs many changes in one transaction (configuration as code), validated as the single calls are. */
  async applyBatch<T>(fn: (writer: GatewayWriter) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await this.store.write((repos) => fn(new GatewayWriter(repos, this.secrets, this.policyServices)));
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
    return this.store.readConsistent((repos, revision) => this.reader(repos).configuration(revision));
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

  private reader(repos: Repositories): GatewayReader {
    return new GatewayReader(repos, this.secrets);
  }

  private read<T>(fn: (reader: GatewayReader) => Promise<T>): Promise<T> {
    return this.store.read((repos) => fn(this.reader(repos)));
  }

  // APIs

  listApis(): Promise<Api[]> {
    return this.read((r) => r.listApis());
  }
  getApi(name: string): Promise<Api | undefined> {
    return this.read((r) => r.getApi(name));
  }
  putApi(name: string, input: ApiInput): Promise<{ api: Api; created: boolean }> {
    return this.applyBatch((w) => w.putApi(name, input));
  }
  patchApi(name: string, patch: Partial<ApiInput>): Promise<Api> {
    return this.applyBatch((w) => w.patchApi(name, patch));
  }
  deleteApi(name: string): Promise<boolean> {
    return this.applyBatch((w) => w.deleteApi(name));
  }

  listOperations(api: string): Promise<Operation[]> {
    return this.read((r) => r.listOperations(api));
  }
  getOperation(api: string, name: string): Promise<Operation | undefined> {
    return this.read((r) => r.getOperation(api, name));
  }
  putOperation(api: string, name: string, input: OperationInput): Promise<{ operation: Operation; created: boolean }> {
    return this.applyBatch((w) => w.putOperation(api, name, input));
  }
  patchOperation(api: string, name: string, patch: Partial<OperationInput>): Promise<Operation> {
    return this.applyBatch((w) => w.patchOperation(api, name, patch));
  }
  deleteOperation(api: string, name: string): Promise<boolean> {
    return this.applyBatch((w) => w.deleteOperation(api, name));
  }

  // Policies (raw XML)

  getPolicy(scope: PolicyScope): Promise<string | undefined> {
    return this.read((r) => r.getPolicy(scope));
  }
  putPolicy(scope: PolicyScope, xml: string): Promise<{ created: boolean }> {
    return this.applyBatch((w) => w.putPolicy(scope, xml));
  }
  deletePolicy(scope: PolicyScope): Promise<boolean> {
    return this.applyBatch((w) => w.deletePolicy(scope));
  }

  // Products

  listProducts(): Promise<Product[]> {
    return this.read((r) => r.listProducts());
  }
  getProduct(name: string): Promise<Product | undefined> {
    return this.read((r) => r.getProduct(name));
  }
  putProduct(name: string, input: ProductInput): Promise<{ product: Product; created: boolean }> {
    return this.applyBatch((w) => w.putProduct(name, input));
  }
  patchProduct(name: string, patch: Partial<ProductInput>): Promise<Product> {
    return this.applyBatch((w) => w.patchProduct(name, patch));
  }
  deleteProduct(name: string): Promise<boolean> {
    return this.applyBatch((w) => w.deleteProduct(name));
  }
  addProductApi(product: string, api: string): Promise<{ created: boolean }> {
    return this.applyBatch((w) => w.addProductApi(product, api));
  }
  removeProductApi(product: string, api: string): Promise<boolean> {
    return this.applyBatch((w) => w.removeProductApi(product, api));
  }

  // Subscriptions

  listSubscriptions(): Promise<Subscription[]> {
    return this.read((r) => r.listSubscriptions());
  }
  getSubscription(name: string): Promise<Subscription | undefined> {
    return this.read((r) => r.getSubscription(name));
  }
  putSubscription(name: string, input: SubscriptionInput): Promise<{ subscription: Subscription; created: boolean }> {
    return this.applyBatch((w) => w.putSubscription(name, input));
  }
  patchSubscription(name: string, patch: Partial<SubscriptionInput>): Promise<Subscription> {
    return this.applyBatch((w) => w.patchSubscription(name, patch));
  }
  deleteSubscription(name: string): Promise<boolean> {
    return this.applyBatch((w) => w.deleteSubscription(name));
  }
  listSecrets(name: string): Promise<SubscriptionKeys> {
    return this.read((r) => r.listSecrets(name));
  }
  regenerateKey(name: string, which: "primary" | "secondary"): Promise<void> {
    return this.applyBatch((w) => w.regenerateKey(name, which));
  }

  // Named values

  listNamedValues(): Promise<NamedValue[]> {
    return this.read((r) => r.listNamedValues());
  }
  getNamedValue(name: string): Promise<(NamedValue & { value: string | null }) | undefined> {
    return this.read((r) => r.getNamedValue(name));
  }
  putNamedValue(name: string, input: NamedValueInput): Promise<{ namedValue: NamedValue; created: boolean }> {
    return this.applyBatch((w) => w.putNamedValue(name, input));
  }
  patchNamedValue(name: string, patch: Partial<NamedValueInput>): Promise<NamedValue> {
    return this.applyBatch((w) => w.patchNamedValue(name, patch));
  }
  deleteNamedValue(name: string): Promise<boolean> {
    return this.applyBatch((w) => w.deleteNamedValue(name));
  }
  namedValueValue(name: string): Promise<string> {
    return this.read((r) => r.namedValueValue(name));
  }

  // Backends

  listBackends(): Promise<Backend[]> {
    return this.read((r) => r.listBackends());
  }
  getBackend(name: string): Promise<Backend | undefined> {
    return this.read((r) => r.getBackend(name));
  }
  putBackend(name: string, input: BackendInput): Promise<{ backend: Backend; created: boolean }> {
    return this.applyBatch((w) => w.putBackend(name, input));
  }
  patchBackend(name: string, patch: Partial<BackendInput>): Promise<Backend> {
    return this.applyBatch((w) => w.patchBackend(name, patch));
  }
  deleteBackend(name: string): Promise<boolean> {
    return this.applyBatch((w) => w.deleteBackend(name));
  }
}
