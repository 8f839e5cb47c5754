import type { Repositories } from "../store/store.js";
import type { StoredSubscription } from "../store/repositories/gateway-subscriptions.js";
import type { StoredNamedValue } from "../store/repositories/gateway-named-values.js";
import type {
  Api,
  Backend,
  GatewayConfiguration,
  NamedValue,
  Operation,
  PolicyScope,
  Product,
  Subscription,
  SubscriptionKeys,
} from "./model.js";
import { GatewayNotFoundError } from "./registry-errors.js";
import type { GatewaySecrets } from "./sealing.js";

export const publicSubscription = ({
  sealedPrimaryKey: _p,
  sealedSecondaryKey: _s,
  primaryKeyDigest: _pd,
  secondaryKeyDigest: _sd,
  ...subscription
}: StoredSubscription): Subscription => subscription;

export const publicNamedValue = ({ storedValue: _value, ...namedValue }: StoredNamedValue): NamedValue => namedValue;

/** Reads of the gateway model over one set of repositories (a plain read, or a write's transaction). */
export class GatewayReader {
  /** APIs already read or written through this object (undefined: known not to exist), to spare repeated reads. */
  protected readonly apis = new Map<string, Api | undefined>();

  constructor(
    protected readonly repos: Repositories,
    protected readonly secrets: GatewaySecrets,
  ) {}

  listApis(): Promise<Api[]> {
    return this.repos.gatewayApis.list();
  }

  async getApi(name: string): Promise<Api | undefined> {
    if (this.apis.has(name)) return this.apis.get(name);
    const api = await this.repos.gatewayApis.get(name);
    this.apis.set(name, api);
    return api;
  }

  async listOperations(api: string): Promise<Operation[]> {
    await this.requireApi(api);
    return this.repos.gatewayOperations.list(api);
  }

  getOperation(api: string, name: string): Promise<Operation | undefined> {
    return this.repos.gatewayOperations.get(api, name);
  }

  /** The policy document at a scope; throws GatewayNotFoundError when the product, API or operation is missing. */
  async getPolicy(scope: PolicyScope): Promise<string | undefined> {
    await this.requireScope(scope);
    return this.repos.gatewayPolicies.get(scope);
  }

  listProducts(): Promise<Product[]> {
    return this.repos.gatewayProducts.list();
  }

  getProduct(name: string): Promise<Product | undefined> {
    return this.repos.gatewayProducts.get(name);
  }

  async listSubscriptions(): Promise<Subscription[]> {
    return (await this.repos.gatewaySubscriptions.list()).map(publicSubscription);
  }

  async getSubscription(name: string): Promise<Subscription | undefined> {
    const stored = await this.repos.gatewaySubscriptions.get(name);
    return stored && publicSubscription(stored);
  }

  /** APIM's listSecrets: the subscription's two keys. */
  async listSecrets(name: string): Promise<SubscriptionKeys> {
    const stored = await this.repos.gatewaySubscriptions.get(name);
    if (!stored) throw new GatewayNotFoundError("Subscription", name);
    return this.secrets.keys(stored);
  }

  async listNamedValues(): Promise<NamedValue[]> {
    return (await this.repos.gatewayNamedValues.list()).map(publicNamedValue);
  }

  /** The named value with its value, or `value: null` when it is secret (read it with `namedValueValue`). */
  async getNamedValue(name: string): Promise<(NamedValue & { value: string | null }) | undefined> {
    const stored = await this.repos.gatewayNamedValues.get(name);
    return stored && { ...publicNamedValue(stored), value: stored.secret ? null : stored.storedValue };
  }

  /** APIM's listValue: the value, secret or not. */
  async namedValueValue(name: string): Promise<string> {
    const stored = await this.repos.gatewayNamedValues.get(name);
    if (!stored) throw new GatewayNotFoundError("NamedValue", name);
    return this.secrets.namedValue(stored);
  }

  async listBackends(): Promise<Backend[]> {
    return (await this.repos.gatewayBackends.list()).map((b) => this.secrets.backend(b));
  }

  async getBackend(name: string): Promise<Backend | undefined> {
    const stored = await this.repos.gatewayBackends.get(name);
    return stored && this.secrets.backend(stored);
  }

  /** Everything, with keys and values unsealed: what the data plane compiles. */
  async configuration(revision: number): Promise<GatewayConfiguration> {
    const [apis, operations, products, subscriptions, namedValues, backends, policies] = await Promise.all([
      this.repos.gatewayApis.list(),
      this.repos.gatewayOperations.list(),
      this.repos.gatewayProducts.list(),
      this.repos.gatewaySubscriptions.list(),
      this.repos.gatewayNamedValues.list(),
      this.repos.gatewayBackends.list(),
      this.repos.gatewayPolicies.list(),
    ]);
    return {
      revision,
      apis,
      operations,
      products,
      subscriptions: subscriptions.map((s) => ({ ...publicSubscription(s), ...this.secrets.keys(s) })),
      namedValues: namedValues.map((nv) => ({ ...publicNamedValue(nv), value: this.secrets.namedValue(nv) })),
      backends: backends.map((b) => this.secrets.backend(b)),
      policies,
    };
  }

  protected async requireApi(name: string): Promise<Api> {
    const api = await this.getApi(name);
    if (!api) throw new GatewayNotFoundError("Api", name);
    return api;
  }

  protected async requireProduct(name: string): Promise<Product> {
    const product = await this.repos.gatewayProducts.get(name);
    if (!product) throw new GatewayNotFoundError("Product", name);
    return product;
  }

  protected async requireOperation(api: string, name: string): Promise<Operation> {
    await this.requireApi(api);
    const operation = await this.repos.gatewayOperations.get(api, name);
    if (!operation) throw new GatewayNotFoundError("Operation", `${api}/${name}`);
    return operation;
  }

  protected async requireScope(scope: PolicyScope): Promise<void> {
    if (scope.kind === "product") await this.requireProduct(scope.product);
    else if (scope.kind === "api") await this.requireApi(scope.api);
    else if (scope.kind === "operation") await this.requireOperation(scope.api, scope.operation);
  }
}
