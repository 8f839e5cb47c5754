/**
 * The admin API's request and response bodies, in Microsoft Graph v1.0 shapes. Requests are validated with these
 * schemas, responses are typed by them, and /openapi.json is generated from them, so the three cannot drift.
 */
import { z } from "zod";

/** Schemas published under `components.schemas` of the OpenAPI document, by name. */
export const namedSchemas = z.registry<{ name: string }>();
const named = <S extends z.ZodType>(name: string, schema: S): S => {
  namedSchemas.add(schema as z.ZodType, { name });
  return schema;
};

// Graph ids are GUIDs of any version (the default-access role id is all zeros), hence guid(), not uuid().
const guid = z.guid();
const dateTime = z.iso.datetime({ offset: true });
const tokenVersion = z.union([z.literal(1), z.literal(2), z.null()]);
const signInAudience = z.enum([
  "AzureADMyOrg",
  "AzureADMultipleOrgs",
  "AzureADandPersonalMicrosoftAccount",
  "PersonalMicrosoftAccount",
]);

// Shared by requests (defaults fill what the caller left out) and responses (every property present).

export const appRole = z.strictObject({
  id: guid,
  value: z.string().nullable().default(null),
  displayName: z.string().min(1),
  description: z.string().default(""),
  allowedMemberTypes: z.array(z.enum(["Application", "User"])).min(1),
  isEnabled: z.boolean().default(true),
  origin: z.literal("Application").default("Application"),
});

export const permissionScope = z.strictObject({
  id: guid,
  value: z.string().min(1),
  type: z.enum(["User", "Admin"]).default("User"),
  isEnabled: z.boolean().default(true),
  adminConsentDisplayName: z.string().default(""),
  adminConsentDescription: z.string().default(""),
  userConsentDisplayName: z.string().nullable().default(null),
  userConsentDescription: z.string().nullable().default(null),
});

export const requiredResourceAccess = z.strictObject({
  resourceAppId: guid,
  resourceAccess: z.array(z.strictObject({ id: guid, type: z.enum(["Role", "Scope"]) })),
});

// Requests

const apiInput = z.strictObject({
  requestedAccessTokenVersion: tokenVersion.optional(),
  oauth2PermissionScopes: z.array(permissionScope).optional(),
});

const keyCredentialInput = z.strictObject({
  keyId: guid.optional(),
  displayName: z.string().nullable().optional(),
  type: z.literal("AsymmetricX509Cert").optional(),
  usage: z.literal("Verify").optional(),
  /** base64 DER (Graph) or PEM certificate; absent on entries that only keep an existing key. */
  key: z.string().min(1).optional(),
  customKeyIdentifier: z.string().nullable().optional(),
  startDateTime: dateTime.optional(),
  endDateTime: dateTime.optional(),
});
export type KeyCredentialInput = z.output<typeof keyCredentialInput>;

const applicationFields = {
  displayName: z.string().min(1),
  description: z.string().nullable(),
  notes: z.string().nullable(),
  signInAudience,
  identifierUris: z.array(z.string().min(1)),
  appRoles: z.array(appRole),
  api: apiInput,
  /** The app manifest's name for api.requestedAccessTokenVersion. */
  accessTokenAcceptedVersion: tokenVersion,
  requiredResourceAccess: z.array(requiredResourceAccess),
  tags: z.array(z.string()),
  keyCredentials: z.array(keyCredentialInput),
};

export const applicationCreate = named(
  "applicationCreate",
  z
    .strictObject({
      ...applicationFields,
      // Accepted and ignored, as Graph does: secrets are only ever created by addPassword.
      passwordCredentials: z.array(z.unknown()),
    })
    .partial()
    .required({ displayName: true }),
);
export type ApplicationCreate = z.output<typeof applicationCreate>;

export const applicationUpdate = named("applicationUpdate", z.strictObject(applicationFields).partial());
export type ApplicationUpdate = z.output<typeof applicationUpdate>;

export const addPasswordRequest = named(
  "addPasswordRequest",
  z.strictObject({
    passwordCredential: z
      .strictObject({
        displayName: z.string().nullable().optional(),
        startDateTime: dateTime.optional(),
        endDateTime: dateTime.optional(),
      })
      .optional(),
  }),
);

export const removePasswordRequest = named("removePasswordRequest", z.strictObject({ keyId: guid }));

export const servicePrincipalCreate = named(
  "servicePrincipalCreate",
  z.strictObject({
    appId: guid,
    accountEnabled: z.boolean().optional(),
    appRoleAssignmentRequired: z.boolean().optional(),
  }),
);

export const servicePrincipalUpdate = named(
  "servicePrincipalUpdate",
  z.strictObject({
    displayName: z.string().min(1).optional(),
    accountEnabled: z.boolean().optional(),
    appRoleAssignmentRequired: z.boolean().optional(),
  }),
);

export const appRoleAssignmentCreate = named(
  "appRoleAssignmentCreate",
  z.strictObject({ principalId: guid, resourceId: guid, appRoleId: guid }),
);

const tenantFields = {
  displayName: z.string().min(1),
  domains: z.array(z.string().min(1)),
  /** Graph organization's form of `domains`; `isDefault` is derived (the first domain), so it is ignored. */
  verifiedDomains: z.array(z.strictObject({ name: z.string().min(1), isDefault: z.boolean().optional() })),
};
const oneDomainList = (t: { domains?: unknown; verifiedDomains?: unknown }) =>
  t.domains === undefined || t.verifiedDomains === undefined;
const oneDomainListError = { message: "give domains or verifiedDomains, not both", path: ["verifiedDomains"] };

export const tenantCreate = named(
  "tenantCreate",
  z
    .strictObject({ id: guid, ...tenantFields })
    .partial()
    .required({ displayName: true })
    .refine(oneDomainList, oneDomainListError),
);

export const tenantUpdate = named(
  "tenantUpdate",
  z.strictObject(tenantFields).partial().refine(oneDomainList, oneDomainListError),
);

// Responses

const passwordCredentialFields = {
  customKeyIdentifier: z.null(),
  displayName: z.string().nullable(),
  endDateTime: z.string(),
  hint: z.string(),
  keyId: guid,
  startDateTime: z.string(),
};

export const passwordCredential = z.object({ ...passwordCredentialFields, secretText: z.null() });

/** The addPassword answer: the only response that ever carries a secret. */
export const addPasswordResult = named(
  "addPasswordResult",
  z.object({ ...passwordCredentialFields, secretText: z.string() }),
);

export const keyCredential = z.object({
  customKeyIdentifier: z.string(),
  displayName: z.string().nullable(),
  endDateTime: z.string(),
  /** Only on a single application read with `$select=keyCredentials`. */
  key: z.string().optional(),
  keyId: guid,
  startDateTime: z.string(),
  type: z.literal("AsymmetricX509Cert"),
  usage: z.literal("Verify"),
});

export const application = named(
  "application",
  z.object({
    id: guid,
    appId: guid,
    displayName: z.string(),
    createdDateTime: z.string(),
    description: z.string().nullable(),
    notes: z.string().nullable(),
    signInAudience,
    identifierUris: z.array(z.string()),
    appRoles: z.array(appRole),
    api: z.object({
      requestedAccessTokenVersion: tokenVersion,
      oauth2PermissionScopes: z.array(permissionScope),
    }),
    requiredResourceAccess: z.array(requiredResourceAccess),
    tags: z.array(z.string()),
    passwordCredentials: z.array(passwordCredential),
    keyCredentials: z.array(keyCredential),
  }),
);
export type ApplicationResource = z.output<typeof application>;

export const servicePrincipal = named(
  "servicePrincipal",
  z.object({
    id: guid,
    appId: guid,
    displayName: z.string(),
    appDisplayName: z.string().nullable(),
    appOwnerOrganizationId: guid.nullable(),
    accountEnabled: z.boolean(),
    appRoleAssignmentRequired: z.boolean(),
    servicePrincipalType: z.enum(["Application", "ManagedIdentity"]),
    /** A managed identity's `isExplicit=True|False` and resource id; empty for applications. */
    alternativeNames: z.array(z.string()),
    appRoles: z.array(appRole),
    oauth2PermissionScopes: z.array(permissionScope),
    servicePrincipalNames: z.array(z.string()),
    createdDateTime: z.string(),
  }),
);
export type ServicePrincipalResource = z.output<typeof servicePrincipal>;

export const appRoleAssignment = named(
  "appRoleAssignment",
  z.object({
    id: z.string(),
    appRoleId: guid,
    createdDateTime: z.string(),
    deletedDateTime: z.null(),
    principalDisplayName: z.string().nullable(),
    principalId: guid,
    principalType: z.literal("ServicePrincipal"),
    resourceDisplayName: z.string().nullable(),
    resourceId: guid,
  }),
);
export type AppRoleAssignmentResource = z.output<typeof appRoleAssignment>;

export const tenant = named(
  "tenant",
  z.object({
    id: guid,
    displayName: z.string(),
    verifiedDomains: z.array(z.object({ name: z.string(), isDefault: z.boolean() })),
    createdDateTime: z.string(),
  }),
);
export type TenantResource = z.output<typeof tenant>;

export const signingKey = named(
  "signingKey",
  z.object({
    kid: z.string(),
    createdDateTime: z.string(),
    activatedDateTime: z.string().nullable(),
    retiredDateTime: z.string().nullable(),
    /** The key that signs new tokens; the others are published so earlier tokens keep validating. */
    current: z.boolean(),
  }),
);
export type SigningKeyResource = z.output<typeof signingKey>;

export const keyRotationRequest = named(
  "keyRotationRequest",
  z.strictObject({
    /** How long the new key is published before it signs; 0 signs with it at once. Default a day. */
    leadTimeSeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .optional(),
  }),
);

export const keyRotationResult = named(
  "keyRotationResult",
  z.object({ kid: z.string(), activatedDateTime: z.string(), published: z.array(z.string()) }),
);

export const health = named("health", z.object({ status: z.literal("ok") }));

/** Every error response, as Microsoft Graph writes it. */
export const graphErrorResponse = named(
  "graphError",
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      innerError: z.object({ date: z.string(), "request-id": z.string(), "client-request-id": z.string() }),
    }),
  }),
);
export type GraphErrorResponse = z.output<typeof graphErrorResponse>;
