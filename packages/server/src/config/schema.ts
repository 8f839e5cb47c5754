import { z } from "zod";
import { MIN_CREDENTIAL_LENGTH } from "../security/credential-length.js";
import { federatedIdentityCredentialConfig } from "../identity/federation/yaml.js";
import { managedIdentitiesConfig } from "../identity/managed-identities/yaml.js";
import { dateTime, guid } from "./fields.js";
import { gatewaySectionChecks, gatewaySectionShape } from "./gateway-section.js";

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
  federatedIdentityCredentials: z.array(federatedIdentityCredentialConfig).optional(),
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
  /** User-assigned identities and hosts of the tenant, with the app roles granted to them (managed-identities/yaml.ts). */
  managedIdentities: managedIdentitiesConfig.optional(),
});

/**
 * The gateway section (API Management's entities and property names), each entity's members from its folder
 * (gateway/model/<entity>/yaml.ts). Each entry is the whole definition of its object, so absent properties take
 * APIM's defaults; only secrets are different: a named value's `value` and a subscription's keys, when absent, keep
 * what is stored (or, for keys of a new subscription, are generated).
 */
const gatewaySection = z.strictObject(gatewaySectionShape()).superRefine((section, context) => {
  for (const message of gatewaySectionChecks(section)) context.addIssue({ code: "custom", message });
});

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
