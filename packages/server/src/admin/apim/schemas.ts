/**
 * Request and response bodies of the ARM routes, with API Management's property names (reference apim.md §6.2).
 * Requests are strict about the types of the properties they know and ignore the others, as ARM does: clients send
 * back read-only properties (`isCurrent`, `apiRevision`, `createdDate` …) they got from a GET.
 */
import { z } from "zod";
import { namedSchemas } from "../schemas.js";
import { MIN_CREDENTIAL_LENGTH } from "../../security/credential-length.js";

/** Published under `components.schemas` with API Management's contract names. */
const contract = <S extends z.ZodType>(name: string, schema: S): S => {
  namedSchemas.add(schema as z.ZodType, { name });
  return schema;
};

/** `{ id, type, name }` sent back by clients are ignored: the URL names the resource. */
const envelope = <P extends z.ZodType>(properties: P) =>
  z.object({ id: z.string().optional(), type: z.string().optional(), name: z.string().optional(), properties });

/** PATCH bodies may leave `properties` out (nothing changes). */
const patchEnvelope = <P extends z.ZodType>(properties: P) => envelope(properties.optional());

// APIs and operations

const apiType = z.enum(["http", "soap"]);
const keyParameterNames = z.object({ header: z.string().min(1), query: z.string().min(1) });

const apiProperties = z.object({
  displayName: z.string().min(1).max(300),
  description: z.string().nullable(),
  path: z.string().max(400),
  serviceUrl: z.string().max(2000).nullable(),
  protocols: z.array(z.enum(["http", "https"])).min(1),
  /** `soap` is SOAP pass-through, as `apiType: soap` is on import. */
  type: apiType,
  apiType,
  subscriptionRequired: z.boolean(),
  subscriptionKeyParameterNames: keyParameterNames,
});
export const apiPut = contract(
  "ApiCreateOrUpdateParameter",
  envelope(apiProperties.partial().required({ displayName: true, path: true })),
);
export const apiPatch = contract("ApiUpdateContract", patchEnvelope(apiProperties.partial()));
export type ApiBody = z.output<typeof apiProperties>;

/** `{ "default": { "value": … } }`: mock-response answers with the first one. */
const examples = z.record(z.string(), z.object({ value: z.unknown().optional(), description: z.string().optional() }));
const representation = z.object({ contentType: z.string().min(1), examples });
const operationResponse = z.object({
  statusCode: z.number().int().min(100).max(599),
  description: z.string(),
  representations: z.array(representation.partial().required({ contentType: true })),
});
const operationProperties = z.object({
  displayName: z.string().min(1).max(300),
  method: z.string().regex(/^(?:\*|[A-Za-z]+)$/, "an HTTP method or *"),
  urlTemplate: z.string().min(1).max(1000),
  description: z.string().nullable(),
  responses: z.array(operationResponse.partial().required({ statusCode: true })),
});
export const operationPut = contract(
  "OperationCreateOrUpdateParameters",
  envelope(operationProperties.partial().required({ displayName: true, method: true, urlTemplate: true })),
);
export const operationPatch = contract("OperationUpdateContract", patchEnvelope(operationProperties.partial()));

// Policies

const policyFormat = z.enum(["xml", "rawxml", "xml-link", "rawxml-link"]);
/** The JSON contract, or the XML itself with an XML content type (parsed as text). */
export const policyPut = contract(
  "PolicyCreateOrUpdateParameters",
  z.union([z.string(), envelope(z.object({ value: z.string(), format: policyFormat.optional() }))]),
);
export type PolicyBody = z.output<typeof policyPut>;

// Products

const productProperties = z.object({
  displayName: z.string().min(1).max(300),
  description: z.string().max(1000).nullable(),
  terms: z.string().nullable(),
  subscriptionRequired: z.boolean(),
  approvalRequired: z.boolean(),
  subscriptionsLimit: z.number().int().min(0).nullable(),
  state: z.enum(["published", "notPublished"]),
});
export const productPut = contract(
  "ProductCreateOrUpdateParameters",
  envelope(productProperties.partial().required({ displayName: true })),
);
export const productPatch = contract("ProductUpdateParameters", patchEnvelope(productProperties.partial()));

// Subscriptions

const subscriptionKey = z.string().min(MIN_CREDENTIAL_LENGTH).max(256);
const subscriptionProperties = z.object({
  displayName: z.string().min(1).max(100),
  /** `/apis`, `/apis/{apiId}`, `/products/{productId}`, or a full ARM id ending in one of them. */
  scope: z.string().min(1),
  primaryKey: subscriptionKey,
  secondaryKey: subscriptionKey,
  state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]),
  allowTracing: z.boolean(),
  startDate: z.iso.datetime({ offset: true }).nullable(),
  expirationDate: z.iso.datetime({ offset: true }).nullable(),
});
export const subscriptionPut = contract(
  "SubscriptionCreateParameters",
  envelope(subscriptionProperties.partial().required({ displayName: true, scope: true })),
);
export const subscriptionPatch = contract(
  "SubscriptionUpdateParameters",
  patchEnvelope(subscriptionProperties.partial()),
);
export type SubscriptionBody = z.output<typeof subscriptionProperties>;

// Named values

const namedValueProperties = z.object({
  displayName: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9-._]+$/, "letters, digits, '-', '.' and '_' only"),
  value: z.string().max(4096),
  secret: z.boolean(),
  tags: z.array(z.string().min(1)),
});
export const namedValuePut = contract(
  "NamedValueCreateContract",
  envelope(namedValueProperties.partial().required({ value: true })),
);
export const namedValuePatch = contract("NamedValueUpdateParameters", patchEnvelope(namedValueProperties.partial()));

// Backends

const credentialValues = z.record(z.string(), z.array(z.string()));
const backendProperties = z.object({
  url: z.string().min(1).max(2000),
  protocol: z.enum(["http", "soap"]),
  title: z.string().max(300).nullable(),
  description: z.string().max(2000).nullable(),
  credentials: z
    .object({
      header: credentialValues,
      query: credentialValues,
      authorization: z.object({ scheme: z.string().min(1), parameter: z.string().min(1) }),
    })
    .partial()
    .nullable(),
  tls: z.object({ validateCertificateChain: z.boolean(), validateCertificateName: z.boolean() }).partial(),
});
export const backendPut = contract(
  "BackendCreateOrUpdateParameters",
  envelope(backendProperties.partial().required({ url: true })),
);
export const backendPatch = contract("BackendUpdateParameters", patchEnvelope(backendProperties.partial()));

// Responses

const resource = <P extends z.ZodType>(properties: P) =>
  z.object({ id: z.string(), type: z.string(), name: z.string(), properties });

/** ARM's page: `count` is the number of matching items across all pages. */
const collection = <S extends z.ZodType>(name: string, item: S) =>
  contract(name, z.object({ value: z.array(item), count: z.number().int(), nextLink: z.string().nullable() }));

export const apiContract = contract(
  "ApiContract",
  resource(
    z.object({
      displayName: z.string(),
      apiRevision: z.literal("1"),
      description: z.string().nullable(),
      subscriptionRequired: z.boolean(),
      serviceUrl: z.string().nullable(),
      path: z.string(),
      protocols: z.array(z.enum(["http", "https"])),
      subscriptionKeyParameterNames: keyParameterNames,
      isCurrent: z.literal(true),
      type: apiType,
    }),
  ),
);
export type ApiResource = z.output<typeof apiContract>;
export const apiCollection = collection("ApiCollection", apiContract);
export const productApiCollection = collection("ProductApiCollection", apiContract);

export const operationContract = contract(
  "OperationContract",
  resource(
    z.object({
      displayName: z.string(),
      method: z.string(),
      urlTemplate: z.string(),
      /** Derived from the `{name}` parameters of the template. */
      templateParameters: z.array(
        z.object({
          name: z.string(),
          type: z.literal("string"),
          required: z.literal(true),
          values: z.array(z.string()),
        }),
      ),
      description: z.string().nullable(),
      responses: z.array(
        z.object({
          statusCode: z.number(),
          description: z.string().optional(),
          representations: z.array(z.object({ contentType: z.string(), examples: examples.optional() })),
        }),
      ),
    }),
  ),
);
export type OperationResource = z.output<typeof operationContract>;
export const operationCollection = collection("OperationCollection", operationContract);

export const policyContract = contract(
  "PolicyContract",
  resource(z.object({ value: z.string(), format: z.enum(["xml", "rawxml"]) })),
);
export const policyCollection = collection("PolicyCollection", policyContract);

export const productContract = contract(
  "ProductContract",
  resource(
    z.object({
      displayName: z.string(),
      description: z.string().nullable(),
      terms: z.string().nullable(),
      subscriptionRequired: z.boolean(),
      approvalRequired: z.boolean(),
      subscriptionsLimit: z.number().nullable(),
      state: z.enum(["published", "notPublished"]),
    }),
  ),
);
export type ProductResource = z.output<typeof productContract>;
export const productCollection = collection("ProductCollection", productContract);

export const subscriptionContract = contract(
  "SubscriptionContract",
  resource(
    z.object({
      /** `/apis`, `/apis/{apiId}` or `/products/{productId}`. Keys are never shown: use listSecrets. */
      scope: z.string(),
      displayName: z.string(),
      state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]),
      allowTracing: z.boolean(),
      createdDate: z.string(),
      startDate: z.string().nullable(),
      expirationDate: z.string().nullable(),
    }),
  ),
);
export type SubscriptionResource = z.output<typeof subscriptionContract>;
export const subscriptionCollection = collection("SubscriptionCollection", subscriptionContract);

export const subscriptionKeys = contract(
  "SubscriptionKeysContract",
  z.object({ primaryKey: z.string(), secondaryKey: z.string() }),
);

export const namedValueContract = contract(
  "NamedValueContract",
  resource(
    z.object({
      displayName: z.string(),
      /** Absent for secret values: use listValue. */
      value: z.string().optional(),
      secret: z.boolean(),
      tags: z.array(z.string()),
    }),
  ),
);
export type NamedValueResource = z.output<typeof namedValueContract>;
export const namedValueCollection = collection("NamedValueCollection", namedValueContract);

export const namedValueSecret = contract("NamedValueSecretContract", z.object({ value: z.string() }));

export const backendContract = contract(
  "BackendContract",
  resource(
    z.object({
      url: z.string(),
      protocol: z.enum(["http", "soap"]),
      title: z.string().nullable(),
      description: z.string().nullable(),
      credentials: z
        .object({
          header: credentialValues.optional(),
          query: credentialValues.optional(),
          authorization: z.object({ scheme: z.string(), parameter: z.string() }).optional(),
        })
        .optional(),
      tls: z.object({ validateCertificateChain: z.boolean(), validateCertificateName: z.boolean() }),
    }),
  ),
);
export type BackendResource = z.output<typeof backendContract>;
export const backendCollection = collection("BackendCollection", backendContract);

export const armErrorResponse = contract(
  "ErrorResponse",
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ code: z.string(), target: z.string().optional(), message: z.string() })),
    }),
  }),
);
export type ArmErrorResponse = z.output<typeof armErrorResponse>;
