import { z } from "zod";
import { MIN_CREDENTIAL_LENGTH } from "../security/credential-length.js";

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");
const dateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO 8601 date-time");
const tokenVersion = z.union([z.literal(1), z.literal(2), z.null()]);

const appRole = z.strictObject({
  id: guid.optional(),
  value: z.string().min(1),
  displayName: z.string().min(1),
  description: z.string().optional(),
  allowedMemberTypes: z.array(z.enum(["Application", "User"])).min(1),
  isEnabled: z.boolean().optional(),
});

const permissionScope = z.strictObject({
  id: guid.optional(),
  value: z.string().min(1),
  type: z.enum(["User", "Admin"]).optional(),
  isEnabled: z.boolean().optional(),
  adminConsentDisplayName: z.string().optional(),
  adminConsentDescription: z.string().optional(),
  userConsentDisplayName: z.string().optional(),
  userConsentDescription: z.string().optional(),
});

const resourceAccess = z
  .strictObject({ id: guid.optional(), value: z.string().optional(), type: z.enum(["Role", "Scope"]) })
  .refine((a) => a.id !== undefined || a.value !== undefined, "give the app role or scope by id or by value");

const passwordCredential = z.strictObject({
  displayName: z.string().min(1),
  /** Literal or `${ENV_VAR}`; when absent a secret is generated once and printed. */
  secretText: z.string().min(MIN_CREDENTIAL_LENGTH, `must be at least ${MIN_CREDENTIAL_LENGTH} characters`).optional(),
  startDateTime: dateTime.optional(),
  endDateTime: dateTime.optional(),
});

const keyCredential = z
  .strictObject({
    displayName: z.string().optional(),
    /** base64 DER or PEM certificate … */
    key: z.string().optional(),
    /** … or a path to a PEM/DER certificate file, relative to the configuration file. */
    certificateFile: z.string().optional(),
    startDateTime: dateTime.optional(),
    endDateTime: dateTime.optional(),
  })
  .refine(
    (k) => (k.key === undefined) !== (k.certificateFile === undefined),
    "give exactly one of key and certificateFile",
  );

const application = z.strictObject({
  displayName: z.string().min(1),
  appId: guid.optional(),
  description: z.string().optional(),
  notes: z.string().optional(),
  signInAudience: z
    .enum(["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"])
    .optional(),
  identifierUris: z.array(z.string().min(1)).optional(),
  api: z
    .strictObject({
      requestedAccessTokenVersion: tokenVersion.optional(),
      oauth2PermissionScopes: z.array(permissionScope).optional(),
    })
    .optional(),
  /** The app manifest's name for api.requestedAccessTokenVersion. */
  accessTokenAcceptedVersion: tokenVersion.optional(),
  appRoles: z.array(appRole).optional(),
  requiredResourceAccess: z
    .array(z.strictObject({ resourceAppId: guid, resourceAccess: z.array(resourceAccess) }))
    .optional(),
  passwordCredentials: z.array(passwordCredential).optional(),
  keyCredentials: z.array(keyCredential).optional(),
  tags: z.array(z.string()).optional(),
  servicePrincipal: z
    .strictObject({ accountEnabled: z.boolean().optional(), appRoleAssignmentRequired: z.boolean().optional() })
    .optional(),
  /** Grant every application permission (type Role) of requiredResourceAccess, as an admin would in the portal. */
  grantAdminConsent: z.boolean().optional(),
});

const tenant = z.strictObject({
  id: guid,
  displayName: z.string().min(1),
  domains: z.array(z.string().min(1)).optional(),
  applications: z.array(application).optional(),
});

/**
 * The gateway section (API Management's entities and property names). Each entry is the whole definition of its
 * object, so absent properties take APIM's defaults; only secrets are different: a named value's `value` and a
 * subscription's keys, when absent, keep what is stored (or, for keys of a new subscription, are generated).
 */
const policySource = {
  /** The policy document (raw XML) … */
  policy: z.string().min(1).optional(),
  /** … or a file holding it, relative to the configuration file. */
  policyFile: z.string().min(1).optional(),
};
const onePolicySource = (o: { policy?: string | undefined; policyFile?: string | undefined }) =>
  o.policy === undefined || o.policyFile === undefined;
const onePolicyMessage = "give at most one of policy and policyFile";

const stringLists = z.record(z.string().min(1), z.array(z.string()));

const gatewayNamedValue = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1).optional(),
  /** Absent: keep the stored value (required to create). */
  value: z.string().optional(),
  secret: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
});

const gatewayBackend = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  protocol: z.enum(["http", "soap"]).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  credentials: z
    .strictObject({
      header: stringLists.optional(),
      query: stringLists.optional(),
      authorization: z.strictObject({ scheme: z.string().min(1), parameter: z.string() }).optional(),
    })
    .optional(),
  tls: z
    .strictObject({
      validateCertificateChain: z.boolean().optional(),
      validateCertificateName: z.boolean().optional(),
    })
    .optional(),
});

/** An operation response with its representations and examples (mock-response answers from them). */
export const gatewayResponse = z.strictObject({
  statusCode: z.number().int(),
  description: z.string().optional(),
  representations: z
    .array(
      z.strictObject({
        contentType: z.string().min(1),
        examples: z
          .record(z.string(), z.strictObject({ value: z.unknown().optional(), description: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
});

const gatewayOperation = z
  .strictObject({
    name: z.string().min(1),
    displayName: z.string().min(1),
    method: z.string().min(1),
    urlTemplate: z.string().min(1),
    description: z.string().optional(),
    responses: z.array(gatewayResponse).optional(),
    ...policySource,
  })
  .refine(onePolicySource, onePolicyMessage);

const gatewayApi = z
  .strictObject({
    name: z.string().min(1),
    displayName: z.string().min(1),
    description: z.string().optional(),
    path: z.string(),
    serviceUrl: z.string().min(1).optional(),
    protocols: z
      .array(z.enum(["http", "https"]))
      .min(1)
      .optional(),
    apiType: z.enum(["http", "soap"]).optional(),
    subscriptionRequired: z.boolean().optional(),
    subscriptionKeyParameterNames: z
      .strictObject({ header: z.string().min(1).optional(), query: z.string().min(1).optional() })
      .optional(),
    operations: z.array(gatewayOperation).optional(),
    ...policySource,
  })
  .refine(onePolicySource, onePolicyMessage);

const gatewayProduct = z
  .strictObject({
    name: z.string().min(1),
    displayName: z.string().min(1),
    description: z.string().optional(),
    terms: z.string().optional(),
    state: z.enum(["published", "notPublished"]).optional(),
    subscriptionRequired: z.boolean().optional(),
    approvalRequired: z.boolean().optional(),
    subscriptionsLimit: z.number().int().nonnegative().nullable().optional(),
    /** APIs linked to the product (links not listed are kept). */
    apis: z.array(z.string().min(1)).optional(),
    ...policySource,
  })
  .refine(onePolicySource, onePolicyMessage);

const gatewaySubscription = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1),
  /** `/apis`, `/apis/{api}` or `/products/{product}`. */
  scope: z.string().min(1),
  state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]).optional(),
  allowTracing: z.boolean().optional(),
  /** Literal or `${ENV_VAR}`; absent: kept, or generated once and printed for a new subscription. */
  primaryKey: z.string().min(1).optional(),
  secondaryKey: z.string().min(1).optional(),
  startDate: dateTime.optional(),
  expirationDate: dateTime.optional(),
});

const gatewaySection = z
  .strictObject({
    namedValues: z.array(gatewayNamedValue).optional(),
    backends: z.array(gatewayBackend).optional(),
    /** The global policy. */
    ...policySource,
    apis: z.array(gatewayApi).optional(),
    products: z.array(gatewayProduct).optional(),
    subscriptions: z.array(gatewaySubscription).optional(),
  })
  .refine(onePolicySource, onePolicyMessage);

export const configSchema = z.strictObject({
  identity: z
    .strictObject({
      /** The tenant `/v1.0/...` admin routes use; defaults to the first tenant. */
      defaultTenant: guid.optional(),
      tenants: z.array(tenant).optional(),
    })
    .optional(),
  gateway: gatewaySection.optional(),
});

export type GatehouseConfig = z.infer<typeof configSchema>;
export type TenantConfig = z.infer<typeof tenant>;
export type ApplicationConfig = z.infer<typeof application>;
export type GatewaySectionConfig = z.infer<typeof gatewaySection>;
export type GatewayApiConfig = z.infer<typeof gatewayApi>;
export type GatewayOperationConfig = z.infer<typeof gatewayOperation>;
export type GatewayProductConfig = z.infer<typeof gatewayProduct>;
export type GatewaySubscriptionConfig = z.infer<typeof gatewaySubscription>;
