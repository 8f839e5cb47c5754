/**
 * Gateway entities → the `properties` of their ARM resources, property by property (never spread), so nothing the
 * model may gain later, a key or a secret value, reaches a response by accident.
 */
import type { Api, Backend, NamedValue, Operation, Product, Subscription } from "../../gateway/model.js";
import { formatSubscriptionScope } from "../../gateway/subscription-scope.js";
import type {
  ApiResource,
  BackendResource,
  NamedValueResource,
  OperationResource,
  ProductResource,
  SubscriptionResource,
} from "./schemas.js";

type Properties<R extends { properties: unknown }> = R["properties"];

export function apiProperties(api: Api): Properties<ApiResource> {
  return {
    displayName: api.displayName,
    apiRevision: "1",
    description: api.description,
    subscriptionRequired: api.subscriptionRequired,
    serviceUrl: api.serviceUrl,
    path: api.path,
    protocols: [...api.protocols],
    subscriptionKeyParameterNames: {
      header: api.subscriptionKeyParameterNames.header,
      query: api.subscriptionKeyParameterNames.query,
    },
    isCurrent: true,
    type: api.apiType,
  };
}

/** `{id}` in `/users/{id}?x={x}`: APIM lists every template parameter. */
const templateParameters = (urlTemplate: string) =>
  [...new Set([...urlTemplate.matchAll(/\{([^}*]+)\}/g)].map(([, name]) => name ?? ""))].map((name) => ({
    name,
    type: "string" as const,
    required: true as const,
    values: [],
  }));

export function operationProperties(operation: Operation): Properties<OperationResource> {
  return {
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    templateParameters: templateParameters(operation.urlTemplate),
    description: operation.description,
    responses: operation.responses.map((response) => ({
      statusCode: response.statusCode,
      ...(response.description !== undefined ? { description: response.description } : {}),
      representations: (response.representations ?? []).map((r) => ({
        contentType: r.contentType,
        ...(r.examples !== undefined ? { examples: r.examples } : {}),
      })),
    })),
  };
}

export function productProperties(product: Product): Properties<ProductResource> {
  return {
    displayName: product.displayName,
    description: product.description,
    terms: product.terms,
    subscriptionRequired: product.subscriptionRequired,
    approvalRequired: product.approvalRequired,
    subscriptionsLimit: product.subscriptionsLimit,
    state: product.state,
  };
}

export function subscriptionProperties(subscription: Subscription): Properties<SubscriptionResource> {
  return {
    scope: formatSubscriptionScope(subscription.scope),
    displayName: subscription.displayName,
    state: subscription.state,
    allowTracing: subscription.allowTracing,
    createdDate: subscription.createdDate,
    startDate: subscription.startDate,
    expirationDate: subscription.expirationDate,
  };
}

/** The value only when it is not secret (APIM: secret values are read with listValue). */
export function namedValueProperties(
  namedValue: NamedValue & { value: string | null },
): Properties<NamedValueResource> {
  return {
    displayName: namedValue.displayName,
    ...(namedValue.secret || namedValue.value === null ? {} : { value: namedValue.value }),
    secret: namedValue.secret,
    tags: [...namedValue.tags],
  };
}

export function backendProperties(backend: Backend): Properties<BackendResource> {
  const credentials = backend.credentials;
  return {
    url: backend.url,
    protocol: backend.protocol,
    title: backend.title,
    description: backend.description,
    ...(credentials
      ? {
          credentials: {
            ...(credentials.header ? { header: credentials.header } : {}),
            ...(credentials.query ? { query: credentials.query } : {}),
            ...(credentials.authorization
              ? {
                  authorization: {
                    scheme: credentials.authorization.scheme,
                    parameter: credentials.authorization.parameter,
                  },
                }
              : {}),
          },
        }
      : {}),
    tls: {
      validateCertificateChain: backend.tls.validateCertificateChain,
      validateCertificateName: backend.tls.validateCertificateName,
    },
  };
}
