/**
 * One configuration version compiled for the data plane: the route table, each operation's pipelines (one per
 * product it can be called under, and one without product) and the access rules. Immutable; replaced whole.
 */
import { SubscriptionIndex, type AccessRules } from "./access.js";
import { AppTokenAuthorizer } from "./app-token/authorizer.js";
import { appTokenTables } from "./app-token/tables.js";
import { UserDirectory } from "./callers.js";
import { DEFAULT_GLOBAL_POLICY } from "./model/policies/types.js";
import type { Backend } from "./model/backends/types.js";
import { CertificateIndex } from "./model/certificates/lookup.js";
import { type GatewayConfiguration, type PolicyScope, policyScopeKey } from "./model/configuration.js";
import type { Operation } from "./model/operations/types.js";
import { acceptsApplicationTokens, acceptsSubscriptionKeys, type Product } from "./model/products/types.js";
import { PolicyLoadError, type PolicyServices } from "./policy/definition.js";
import { loadPolicyDocument, namedValueLookup, type CompiledDocument } from "./policy/document.js";
import { effectivePipeline, type Pipeline } from "./policy/pipeline.js";
import type { HeaderMap } from "./pipeline/headers.js";
import { isPreflightRequest } from "./policy/policies/cors.js";
import { parseRequestTarget, RequestTargetError, type RequestTarget } from "./routing/canonical-path.js";
import { RouteTable, type RouteMatch } from "./routing/route-table.js";

/** A pipeline, or why it could not be built (a stored document no longer loads): such requests get a 500. */
export type PipelineOrError = Pipeline | PolicyLoadError;

export interface OperationPipelines {
  /** Without product context (API- or all-APIs-scoped key, or no key on an API that needs none). */
  withoutProduct: PipelineOrError;
  byProduct: ReadonlyMap<string, PipelineOrError>;
}

export interface GatewaySnapshot {
  revision: number;
  routes: RouteTable<OperationPipelines>;
  access: AccessRules;
  /** Values a trace must never show: secret named values and backend credentials (tracing/secret-values.ts). */
  secretValues: readonly string[];
  /** Documents that failed to load, for the log: "scope: message". */
  problems: string[];
}

export function compileSnapshot(
  config: GatewayConfiguration,
  services: PolicyServices,
  pepper: Buffer,
  /** The identity service whose tenants' keys application tokens are verified with. */
  applicationAuthority: string,
): GatewaySnapshot {
  const problems: string[] = [];
  const namedValues = namedValueLookup(config.namedValues);
  const backends = new Map<string, Backend>(config.backends.map((b) => [b.name, b]));
  const certificates = new CertificateIndex(config.certificates);
  const operationsByKey = new Map(config.operations.map((o) => [`${o.api}/${o.name}`, o]));
  const documents = new Map<string, CompiledDocument | PolicyLoadError>();
  const load = (scope: PolicyScope, xml: string, operation: Operation | undefined) => {
    try {
      documents.set(
        policyScopeKey(scope),
        loadPolicyDocument(xml, scope, { namedValues, backends, certificates, operation, services }),
      );
    } catch (error) {
      const failure =
        error instanceof PolicyLoadError ? error : new PolicyLoadError((error as Error).message, undefined);
      problems.push(`${policyScopeKey(scope)}: ${failure.message}`);
      documents.set(policyScopeKey(scope), failure);
    }
  };
  load({ kind: "global" }, DEFAULT_GLOBAL_POLICY, undefined);
  for (const policy of config.policies) {
    const operation =
      policy.scope.kind === "operation"
        ? operationsByKey.get(`${policy.scope.api}/${policy.scope.operation}`)
        : undefined;
    load(policy.scope, policy.xml, operation);
  }

  const productsOfApi = groupBy(
    config.products.flatMap((product) => product.apis.map((api) => ({ api, product }))),
    (link) => link.api,
  );
  const pipelineFor = (scopes: PolicyScope[]): PipelineOrError => {
    const chain: Partial<Record<PolicyScope["kind"], CompiledDocument>> = {};
    for (const scope of scopes) {
      const document = documents.get(policyScopeKey(scope));
      if (document instanceof PolicyLoadError) return document;
      if (document) chain[scope.kind] = document;
    }
    return effectivePipeline(chain);
  };

  const routes = new RouteTable<OperationPipelines>();
  const operationsOfApi = groupBy(config.operations, (operation) => operation.api);
  for (const api of config.apis) {
    const operations = (operationsOfApi.get(api.name) ?? []).map((operation) => {
      const base: PolicyScope[] = [
        { kind: "global" },
        { kind: "api", api: api.name },
        { kind: "operation", api: api.name, operation: operation.name },
      ];
      const byProduct = new Map<string, PipelineOrError>();
      for (const { product } of productsOfApi.get(api.name) ?? []) {
        byProduct.set(product.name, pipelineFor([...base, { kind: "product", product: product.name }]));
      }
      return { operation, value: { withoutProduct: pipelineFor(base), byProduct } };
    });
    routes.add(api, operations);
  }

  const openProductOf = new Map<string, Product>();
  for (const product of config.products) {
    if (product.subscriptionRequired) continue;
    for (const api of product.apis) if (!openProductOf.has(api)) openProductOf.set(api, product);
  }
  return {
    revision: config.revision,
    routes,
    access: {
      subscriptions: new SubscriptionIndex(pepper, config.subscriptions),
      products: new Map(config.products.map((p) => [p.name, { product: p, apis: new Set(p.apis) }])),
      openProductOf,
      tokenApis: tokenApisOf(productsOfApi),
      applications: new AppTokenAuthorizer(appTokenTables(config), {
        keySources: services.keySources,
        authority: applicationAuthority,
      }),
      users: new UserDirectory(config.users, config.groups),
    },
    secretValues: secretValuesOf(config),
    problems,
  };
}

/** The APIs some product of which accepts application tokens, with all their products (access.ts). */
function tokenApisOf(productsOfApi: ReadonlyMap<string, { product: Product }[]>): AccessRules["tokenApis"] {
  const tokenApis = new Map<string, { products: ReadonlySet<string>; keysAccepted: boolean }>();
  for (const [api, links] of productsOfApi) {
    const products = links.map((link) => link.product);
    if (!products.some(acceptsApplicationTokens)) continue;
    tokenApis.set(api, {
      products: new Set(products.map((p) => p.name)),
      keysAccepted: products.some(acceptsSubscriptionKeys),
    });
  }
  return tokenApis;
}

function secretValuesOf(config: GatewayConfiguration): string[] {
  const values = config.namedValues.filter((nv) => nv.secret).map((nv) => nv.value);
  for (const { credentials } of config.backends) {
    if (!credentials) continue;
    for (const list of [credentials.header, credentials.query]) values.push(...Object.values(list ?? {}).flat());
    if (credentials.authorization) values.push(credentials.authorization.parameter);
  }
  return values;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

export interface TargetRequest {
  method: string;
  /** The request target as the client sent it (`/api/op?x=1`, or absolute form). */
  target: string;
  headers: HeaderMap;
  soapAction: string | undefined;
}

export interface RoutedRequest {
  /** The canonical target: the only path routing, policies and the forwarder see. */
  target: RequestTarget;
  query: URLSearchParams;
  route: RouteMatch<OperationPipelines> | undefined;
  preflight: boolean;
}

/**
 * The operation a request reaches, routed by its canonical path (canonical-path.ts): by method and template; for a
 * CORS preflight to an API without an OPTIONS operation, the operation the preflight asks about (its
 * Access-Control-Request-Method, else any on the path). Throws RequestTargetError for a path the gateway refuses,
 * including one whose `..` climbs above the root of the API it reaches.
 */
export function routeRequest(snapshot: GatewaySnapshot, request: TargetRequest): RoutedRequest {
  const { headers, method, soapAction } = request;
  const target = parseRequestTarget(request.target);
  const query = new URLSearchParams(target.query);
  const by = { path: target.path, query, soapAction };
  let route = snapshot.routes.match({ ...by, method });
  let preflight = false;
  if (!route && isPreflightRequest(method, headers)) {
    const asked = headers.get("access-control-request-method") ?? "";
    route = snapshot.routes.match({ ...by, method: asked }) ?? snapshot.routes.matchAnyMethod(by);
    preflight = route !== undefined;
  }
  if (route && target.floor < route.apiDepth) {
    throw new RequestTargetError("The URL path climbs above the root of its API ('..').");
  }
  return { target, query, route, preflight };
}

/** The pipeline of the request's product context (a product-scoped key), else the one without product. */
export function pipelineFor(pipelines: OperationPipelines, product: Product | undefined): PipelineOrError {
  return product ? (pipelines.byProduct.get(product.name) ?? pipelines.withoutProduct) : pipelines.withoutProduct;
}
