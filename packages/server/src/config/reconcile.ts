import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Registry } from "../identity/registry.js";
import type { StoredApplication } from "../store/repositories/applications.js";
import type { AppRole, PermissionScope, RequiredResourceAccess, Tenant } from "../identity/model.js";
import { parseCertificate } from "../crypto/certificates.js";
import { ConfigError } from "./errors.js";
import { reconcileFederatedCredentials } from "../identity/federation/yaml.js";
import type { LoadedConfig } from "./load.js";
import type { ApplicationConfig, TenantConfig } from "./schema.js";
import type { GatewayRegistry } from "../gateway/model/registry.js";
import { reconcileGateway, type GeneratedSubscriptionKeys } from "./reconcile-gateway.js";
import { reconcileManagedIdentities } from "../identity/managed-identities/yaml.js";

export type { GeneratedSubscriptionKeys } from "./reconcile-gateway.js";

export interface GeneratedSecret {
  tenantId: string;
  application: string;
  appId: string;
  displayName: string;
  keyId: string;
  secretText: string;
}

export interface ReconcileReport {
  changes: string[];
  /** Secrets created now because the file gave none: shown once, never stored in plaintext. */
  generatedSecrets: GeneratedSecret[];
  /** Keys of subscriptions created now without keys in the file: shown once, stored only sealed. */
  generatedSubscriptionKeys: GeneratedSubscriptionKeys[];
}

export const DEFAULT_TENANT_SETTING = "default.tenantId";

/**
 * Brings the store to what the file says, idempotently: objects are matched by their ids (or, for applications
 * without an appId, by display name within the tenant; managed identities and hosts by name), created or updated;
 * nothing absent from the file is deleted.
 * The gateway section, if any, goes through the gateway registry (see reconcile-gateway.ts).
 */
export async function reconcile(
  registry: Registry,
  loaded: LoadedConfig,
  gateway: GatewayRegistry,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { changes: [], generatedSecrets: [], generatedSubscriptionKeys: [] };
  const tenants = loaded.config.identity?.tenants ?? [];
  const applied: {
    tenant: Tenant;
    config: TenantConfig;
    entries: { config: ApplicationConfig; app: StoredApplication }[];
  }[] = [];
  for (const tenantConfig of tenants) {
    const tenant = await reconcileTenant(registry, tenantConfig, report);
    const entries = [];
    for (const appConfig of tenantConfig.applications ?? []) {
      entries.push({ config: appConfig, app: await reconcileApplication(registry, tenant, appConfig, report) });
    }
    applied.push({ tenant, config: tenantConfig, entries });
  }
  // Second pass: permissions, service principals, credentials and consent can name apps defined later in the file.
  for (const { tenant, entries } of applied) {
    for (const { config, app } of entries) {
      await reconcileAccess(registry, tenant, app, config, report);
      await reconcileCredentials(registry, tenant, app, config, loaded.baseDir, report);
      const owner = { kind: "application", id: app.id } as const;
      const label = `application ${config.displayName}`;
      await reconcileFederatedCredentials(registry, owner, config.federatedIdentityCredentials, label, report.changes);
    }
    for (const { config, app } of entries) await reconcileConsent(registry, tenant, app, config, report);
  }
  // Managed identities last: their grants can name the applications of any tenant.
  for (const { tenant, config } of applied) {
    if (config.managedIdentities)
      await reconcileManagedIdentities(registry, tenant.id, config.managedIdentities, report.changes);
  }
  const defaultTenant = loaded.config.identity?.defaultTenant ?? tenants[0]?.id;
  if (defaultTenant) {
    const current = await registry.read((repos) => repos.settings.get(DEFAULT_TENANT_SETTING));
    if (current !== defaultTenant.toLowerCase())
      await registry.setSetting(DEFAULT_TENANT_SETTING, defaultTenant.toLowerCase());
  }
  if (loaded.config.gateway) {
    const gatewayReport = await reconcileGateway(gateway, loaded.config.gateway, loaded.baseDir);
    report.changes.push(...gatewayReport.changes);
    report.generatedSubscriptionKeys.push(...gatewayReport.generatedSubscriptionKeys);
  }
  return report;
}

async function reconcileTenant(registry: Registry, config: TenantConfig, report: ReconcileReport): Promise<Tenant> {
  const id = config.id.toLowerCase();
  const existing = await registry.read((repos) => repos.tenants.get(id));
  const domains = (config.domains ?? []).map((d) => d.toLowerCase());
  if (!existing) {
    report.changes.push(`created tenant ${config.displayName} (${id})`);
    return registry.createTenant({ id, displayName: config.displayName, domains });
  }
  if (existing.displayName !== config.displayName || !sameList(existing.domains, domains)) {
    report.changes.push(`updated tenant ${config.displayName}`);
    return registry.updateTenant(id, { displayName: config.displayName, domains });
  }
  return existing;
}

/** Stable ids for roles and scopes given without one, so applying the same file twice changes nothing. */
const derivedId = (appId: string, kind: string, value: string): string => {
  const h = createHash("sha256").update(`${appId}:${kind}:${value}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

async function reconcileApplication(
  registry: Registry,
  tenant: Tenant,
  config: ApplicationConfig,
  report: ReconcileReport,
): Promise<StoredApplication> {
  const existing = await registry.read(async (repos) =>
    config.appId
      ? repos.applications.getByAppId(config.appId.toLowerCase())
      : (await repos.applications.list(tenant.id)).find((a) => a.displayName === config.displayName),
  );
  if (existing && existing.tenantId !== tenant.id) {
    throw new ConfigError(`application ${config.displayName}: appId ${existing.appId} belongs to another tenant`);
  }
  const appId = existing?.appId ?? config.appId?.toLowerCase();
  const fields = (id: string) => ({
    displayName: config.displayName,
    ...(config.description !== undefined ? { description: config.description } : {}),
    ...(config.notes !== undefined ? { notes: config.notes } : {}),
    ...(config.signInAudience !== undefined ? { signInAudience: config.signInAudience } : {}),
    ...(config.tags !== undefined ? { tags: config.tags } : {}),
    identifierUris: config.identifierUris ?? existing?.identifierUris ?? [],
    appRoles: (config.appRoles ?? []).map((r): AppRole => ({
      id: r.id?.toLowerCase() ?? derivedId(id, "role", r.value),
      value: r.value,
      displayName: r.displayName,
      description: r.description ?? r.displayName,
      allowedMemberTypes: r.allowedMemberTypes,
      isEnabled: r.isEnabled ?? true,
      origin: "Application",
    })),
    api: {
      requestedAccessTokenVersion:
        config.api?.requestedAccessTokenVersion ??
        config.accessTokenAcceptedVersion ??
        existing?.api.requestedAccessTokenVersion ??
        null,
      oauth2PermissionScopes: (config.api?.oauth2PermissionScopes ?? []).map((s): PermissionScope => ({
        id: s.id?.toLowerCase() ?? derivedId(id, "scope", s.value),
        value: s.value,
        type: s.type ?? "User",
        isEnabled: s.isEnabled ?? true,
        adminConsentDisplayName: s.adminConsentDisplayName ?? s.value,
        adminConsentDescription: s.adminConsentDescription ?? s.value,
        userConsentDisplayName: s.userConsentDisplayName ?? null,
        userConsentDescription: s.userConsentDescription ?? null,
      })),
    },
  });
  if (!existing) {
    const created = await registry.createApplication(tenant.id, {
      ...(appId ? { appId } : {}),
      displayName: config.displayName,
    });
    report.changes.push(`created application ${config.displayName} (${created.appId})`);
    return registry.updateApplication(created.id, fields(created.appId));
  }
  const wanted = fields(existing.appId);
  // Roles dropped from the file are disabled first, as Graph requires before removal.
  const dropped = existing.appRoles.filter((r) => !wanted.appRoles.some((w) => w.id === r.id));
  if (dropped.some((r) => r.isEnabled)) {
    await registry.updateApplication(existing.id, {
      appRoles: existing.appRoles.map((r) => (dropped.includes(r) ? { ...r, isEnabled: false } : r)),
    });
  }
  const before = JSON.stringify(pick(existing));
  const after = JSON.stringify(pick({ ...existing, ...wanted }));
  if (before === after && dropped.length === 0) return existing;
  report.changes.push(`updated application ${config.displayName}`);
  return registry.updateApplication(existing.id, wanted);
}

const pick = (a: StoredApplication) => ({
  displayName: a.displayName,
  description: a.description,
  notes: a.notes,
  signInAudience: a.signInAudience,
  tags: a.tags,
  identifierUris: a.identifierUris,
  appRoles: a.appRoles,
  api: a.api,
});

async function reconcileAccess(
  registry: Registry,
  tenant: Tenant,
  app: StoredApplication,
  config: ApplicationConfig,
  report: ReconcileReport,
) {
  if (config.requiredResourceAccess !== undefined) {
    const wanted: RequiredResourceAccess[] = [];
    for (const rra of config.requiredResourceAccess) {
      const resource = await registry.read((repos) => repos.applications.getByAppId(rra.resourceAppId.toLowerCase()));
      if (!resource) {
        throw new ConfigError(
          `application ${config.displayName}: requiredResourceAccess names unknown app ${rra.resourceAppId}`,
        );
      }
      wanted.push({
        resourceAppId: resource.appId,
        resourceAccess: rra.resourceAccess.map((access) => {
          const pool = access.type === "Role" ? resource.appRoles : resource.api.oauth2PermissionScopes;
          const match = pool.find((p) => (access.id ? p.id === access.id.toLowerCase() : p.value === access.value));
          if (!match) {
            throw new ConfigError(
              `application ${config.displayName}: ${resource.displayName} has no ${access.type === "Role" ? "app role" : "scope"} '${access.id ?? access.value}'`,
            );
          }
          return { id: match.id, type: access.type };
        }),
      });
    }
    if (JSON.stringify(wanted) !== JSON.stringify(app.requiredResourceAccess)) {
      await registry.updateApplication(app.id, { requiredResourceAccess: wanted });
      report.changes.push(`updated permissions of ${config.displayName}`);
    }
  }
  const sp = await registry.read((repos) => repos.servicePrincipals.findByAppId(tenant.id, app.appId));
  const settings = config.servicePrincipal ?? {};
  if (!sp) {
    await registry.createServicePrincipal(tenant.id, app.appId, settings);
    report.changes.push(`created service principal of ${config.displayName}`);
  } else if (
    (settings.accountEnabled !== undefined && settings.accountEnabled !== sp.accountEnabled) ||
    (settings.appRoleAssignmentRequired !== undefined &&
      settings.appRoleAssignmentRequired !== sp.appRoleAssignmentRequired)
  ) {
    await registry.updateServicePrincipal(sp.id, settings);
    report.changes.push(`updated service principal of ${config.displayName}`);
  }
}

async function reconcileCredentials(
  registry: Registry,
  tenant: Tenant,
  app: StoredApplication,
  config: ApplicationConfig,
  baseDir: string,
  report: ReconcileReport,
) {
  const current = await registry.read(async (repos) => (await repos.applications.get(app.id)) as StoredApplication);
  for (const wanted of config.passwordCredentials ?? []) {
    const existing = current.passwordCredentials.find((p) => p.displayName === wanted.displayName);
    const datesChanged =
      existing !== undefined &&
      ((wanted.endDateTime !== undefined && Date.parse(wanted.endDateTime) !== Date.parse(existing.endDateTime)) ||
        (wanted.startDateTime !== undefined &&
          Date.parse(wanted.startDateTime) !== Date.parse(existing.startDateTime)));
    if (
      existing &&
      !datesChanged &&
      (wanted.secretText === undefined || registry.secretMatches(existing.secretHash, wanted.secretText))
    ) {
      continue;
    }
    if (existing) await registry.removePassword(app.id, existing.keyId);
    const { credential, secretText } = await registry.addPassword(app.id, {
      displayName: wanted.displayName,
      ...(existing ? { keyId: existing.keyId } : {}),
      ...(wanted.secretText !== undefined ? { secretText: wanted.secretText } : {}),
      ...(wanted.startDateTime !== undefined ? { startDateTime: wanted.startDateTime } : {}),
      ...(wanted.endDateTime !== undefined ? { endDateTime: wanted.endDateTime } : {}),
    });
    report.changes.push(`${existing ? "replaced" : "added"} secret '${wanted.displayName}' of ${config.displayName}`);
    if (wanted.secretText === undefined) {
      report.generatedSecrets.push({
        tenantId: tenant.id,
        application: config.displayName,
        appId: app.appId,
        displayName: wanted.displayName,
        keyId: credential.keyId,
        secretText,
      });
    }
  }
  for (const wanted of config.keyCredentials ?? []) {
    const key =
      wanted.key ?? (await readCertificate(resolve(baseDir, wanted.certificateFile as string), config.displayName));
    let thumbprint: string;
    try {
      thumbprint = parseCertificate(key).thumbprints.sha256;
    } catch {
      throw new ConfigError(
        `application ${config.displayName}: a keyCredential is not an X.509 certificate (PEM or base64 DER)`,
      );
    }
    // The certificate's thumbprint is its identity: one already registered is left as it is.
    if (current.keyCredentials.some((k) => k.thumbprintSha256 === thumbprint)) continue;
    await registry.addKey(app.id, {
      key,
      displayName: wanted.displayName ?? null,
      ...(wanted.startDateTime !== undefined ? { startDateTime: wanted.startDateTime } : {}),
      ...(wanted.endDateTime !== undefined ? { endDateTime: wanted.endDateTime } : {}),
    });
    report.changes.push(`added certificate '${wanted.displayName ?? "(unnamed)"}' of ${config.displayName}`);
  }
}

async function readCertificate(path: string, app: string): Promise<string> {
  try {
    return (await readFile(path)).toString("latin1");
  } catch {
    throw new ConfigError(`application ${app}: cannot read certificateFile ${path}`);
  }
}

async function reconcileConsent(
  registry: Registry,
  tenant: Tenant,
  app: StoredApplication,
  config: ApplicationConfig,
  report: ReconcileReport,
) {
  if (!config.grantAdminConsent) return;
  const current = await registry.read(async (repos) => (await repos.applications.get(app.id)) as StoredApplication);
  const principal = await registry.read((repos) => repos.servicePrincipals.findByAppId(tenant.id, app.appId));
  if (!principal) return;
  for (const rra of current.requiredResourceAccess) {
    const roles = rra.resourceAccess.filter((a) => a.type === "Role");
    if (roles.length === 0) continue;
    // Consent creates the resource's service principal in this tenant when it has none, as in Entra.
    const resource =
      (await registry.read((repos) => repos.servicePrincipals.findByAppId(tenant.id, rra.resourceAppId))) ??
      (await registry.createServicePrincipal(tenant.id, rra.resourceAppId));
    for (const role of roles) {
      const exists = await registry.read((repos) => repos.assignments.find(principal.id, resource.id, role.id));
      if (exists) continue;
      await registry.grantAppRole({ principalId: principal.id, resourceId: resource.id, appRoleId: role.id });
      report.changes.push(`granted admin consent: ${config.displayName} → ${rra.resourceAppId} role ${role.id}`);
    }
  }
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
