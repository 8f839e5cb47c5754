import { stringify } from "yaml";
import type { Registry } from "../identity/registry.js";
import type { Management } from "../admin/management.js";
import type { StoredApplication } from "../store/repositories/applications.js";
import type { AppRoleAssignment, ServicePrincipal, StoredFederatedCredential } from "../identity/model.js";
import type { ApplicationConfig, GatehouseConfig, GatewaySectionConfig } from "./schema.js";
import { DEFAULT_TENANT_SETTING } from "./reconcile.js";
import { optionalMember } from "./export-members.js";
import type { GatewayConfiguration } from "../gateway/model/configuration.js";
import type { GatewayRegistry } from "../gateway/model/registry.js";
import { exportGatewaySection } from "./gateway-section.js";
import { exportFederatedCredentials } from "../identity/federation/yaml.js";
import { exportManagedIdentities } from "../identity/managed-identities/yaml.js";

/**
 * The store as a configuration file that `apply` accepts. Secrets are never exported: password credentials appear
 * by name and dates only, so re-applying keeps the existing ones, and hosts without their identity-header values. The built-in management tenant is left out.
 * With `gateway`, the gateway section follows the same rule: no subscription keys, no secret named values' values.
 */
export async function exportConfig(
  registry: Registry,
  management: Management,
  gateway?: GatewayRegistry,
): Promise<string> {
  const config: GatehouseConfig = await registry.read(async (repos) => {
    const [tenants, apps, sps, assignments, federated, defaultTenant, identities, hosts] = await Promise.all([
      repos.tenants.list(),
      repos.applications.list(),
      repos.servicePrincipals.list(),
      repos.assignments.list(),
      repos.federatedCredentials.list(),
      repos.settings.get(DEFAULT_TENANT_SETTING),
      repos.managedIdentities.list(),
      repos.managedIdentities.listHosts(),
    ]);
    const userTenants = tenants.filter((t) => t.id !== management.tenantId);
    return {
      identity: {
        ...(defaultTenant ? { defaultTenant } : {}),
        tenants: userTenants.map((tenant) => ({
          id: tenant.id,
          displayName: tenant.displayName,
          domains: tenant.domains,
          applications: apps
            .filter((a) => a.tenantId === tenant.id)
            .map((app) => exportApplication(app, tenant.id, sps, assignments, federated)),
          ...optionalMember(
            "managedIdentities",
            exportManagedIdentities(tenant.id, {
              identities,
              hosts,
              servicePrincipals: sps,
              assignments,
              applications: apps,
              federated,
            }),
          ),
        })),
      },
    };
  });
  if (gateway) {
    const section = exportGateway(await gateway.configuration());
    if (Object.keys(section).length > 0) config.gateway = section;
  }
  return `# Gatehouse configuration, exported ${new Date().toISOString()}. Secrets are not exported.\n${stringify(config)}`;
}

function exportApplication(
  app: StoredApplication,
  tenantId: string,
  sps: ServicePrincipal[],
  assignments: AppRoleAssignment[],
  federated: StoredFederatedCredential[],
): ApplicationConfig {
  const sp = sps.find((s) => s.tenantId === tenantId && s.appId === app.appId);
  const granted = new Set(
    assignments.filter((a) => a.principalId === sp?.id).map((a) => `${a.resourceId}|${a.appRoleId}`),
  );
  const roleGrants = app.requiredResourceAccess.flatMap((rra) =>
    rra.resourceAccess
      .filter((a) => a.type === "Role")
      .map((a) => {
        const resourceSp = sps.find((s) => s.tenantId === tenantId && s.appId === rra.resourceAppId);
        return resourceSp !== undefined && granted.has(`${resourceSp.id}|${a.id}`);
      }),
  );
  return {
    displayName: app.displayName,
    appId: app.appId,
    ...(app.description ? { description: app.description } : {}),
    ...(app.notes ? { notes: app.notes } : {}),
    signInAudience: app.signInAudience,
    identifierUris: app.identifierUris,
    api: {
      requestedAccessTokenVersion: app.api.requestedAccessTokenVersion,
      oauth2PermissionScopes: app.api.oauth2PermissionScopes.map((s) => ({
        id: s.id,
        value: s.value,
        type: s.type,
        isEnabled: s.isEnabled,
        adminConsentDisplayName: s.adminConsentDisplayName,
        adminConsentDescription: s.adminConsentDescription,
        ...(s.userConsentDisplayName ? { userConsentDisplayName: s.userConsentDisplayName } : {}),
        ...(s.userConsentDescription ? { userConsentDescription: s.userConsentDescription } : {}),
      })),
    },
    appRoles: app.appRoles
      .filter((r) => r.value !== null)
      .map((r) => ({
        id: r.id,
        value: r.value as string,
        displayName: r.displayName,
        description: r.description,
        allowedMemberTypes: r.allowedMemberTypes,
        isEnabled: r.isEnabled,
      })),
    requiredResourceAccess: app.requiredResourceAccess,
    passwordCredentials: app.passwordCredentials.map((p) => ({
      displayName: p.displayName ?? p.keyId,
      startDateTime: p.startDateTime,
      endDateTime: p.endDateTime,
    })),
    keyCredentials: app.keyCredentials.map((k) => ({
      ...(k.displayName ? { displayName: k.displayName } : {}),
      key: k.key,
      startDateTime: k.startDateTime,
      endDateTime: k.endDateTime,
    })),
    ...exportFederatedCredentials(federated, { kind: "application", id: app.id }),
    ...(app.tags.length > 0 ? { tags: app.tags } : {}),
    ...(sp
      ? {
          servicePrincipal: {
            accountEnabled: sp.accountEnabled,
            appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
          },
        }
      : {}),
    ...(roleGrants.length > 0 && roleGrants.every(Boolean) ? { grantAdminConsent: true } : {}),
  };
}

/**
 * The gateway as a `gateway:` section; applying it changes nothing. Secret named values appear without `value` and
 * subscriptions without keys, which `apply` reads as "keep the stored ones".
 */
function exportGateway(current: GatewayConfiguration): GatewaySectionConfig {
  const section = exportGatewaySection(current);
  // Empty lists are left out, so a store without gateway objects exports no gateway section.
  return Object.fromEntries(
    Object.entries(section).filter(([, v]) => !Array.isArray(v) || v.length > 0),
  ) as GatewaySectionConfig;
}
