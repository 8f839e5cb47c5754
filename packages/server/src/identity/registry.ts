import { randomUUID } from "node:crypto";
import { parseCertificate } from "../crypto/certificates.js";
import { digestsEqual, generateSecret, hashSecret, secretHint } from "../crypto/secrets.js";
import type { StoredApplication } from "../store/repositories/applications.js";
import type { Repositories, Store } from "../store/store.js";
import type {
  AppRole,
  AppRoleAssignment,
  Application,
  ApplicationDocument,
  KeyCredential,
  PasswordCredential,
  ServicePrincipal,
  Tenant,
} from "./model.js";
import { emptyApplicationDocument } from "./model.js";
import { conflict, invalid, notFound } from "./registry-errors.js";
import { MIN_CREDENTIAL_LENGTH } from "../security/credential-length.js";
import { FederatedCredentials } from "./federation/registry.js";
import { ManagedIdentities } from "./managed-identities/registry.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;
/** The "default access" role id Graph uses for assignments that grant no particular role. */
export const DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000";

export interface TenantInput {
  id?: string;
  displayName: string;
  domains?: string[];
}

export type ApplicationInput = Partial<ApplicationDocument> & { displayName: string; appId?: string; id?: string };
export type ApplicationPatch = Partial<ApplicationDocument> & { displayName?: string };

export interface PasswordInput {
  displayName?: string | null;
  startDateTime?: string;
  endDateTime?: string;
  /** Given by configuration as code; otherwise 256 random bits are generated. */
  secretText?: string;
  keyId?: string;
}

export interface KeyInput {
  displayName?: string | null;
  /** base64 DER or PEM certificate. */
  key: string;
  startDateTime?: string;
  endDateTime?: string;
  keyId?: string;
}

export interface ServicePrincipalPatch {
  accountEnabled?: boolean;
  appRoleAssignmentRequired?: boolean;
  displayName?: string;
}

/**
 * The identity registry: every change to tenants, applications, credentials, service principals and consent goes
 * through here, validated and in one store transaction, so the admin API and configuration-as-code agree.
 */
export class Registry {
  private readonly listeners: (() => Promise<void>)[] = [];
  /** Managed identities and their hosts (managed-identities/). */
  readonly managedIdentities: ManagedIdentities;
  /** Federated identity credentials of applications and user-assigned identities (federation/). */
  readonly federatedCredentials: FederatedCredentials;

  constructor(
    private readonly store: Store,
    private readonly pepper: Buffer,
  ) {
    this.managedIdentities = new ManagedIdentities(
      (fn) => this.write(fn),
      (fn) => this.read(fn),
      pepper,
    );
    this.federatedCredentials = new FederatedCredentials((fn) => this.write(fn));
  }

  /** Called after every committed change, e.g. to reload the running server's snapshot at once. */
  subscribe(listener: () => Promise<void>): void {
    this.listeners.push(listener);
  }

  private async write<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    const result = await this.store.write(fn);
    for (const listener of this.listeners) await listener();
    return result;
  }

  read<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.store.read(fn);
  }

  async setSetting(name: string, value: string): Promise<void> {
    await this.write((repos) => repos.settings.set(name, value));
  }

  async deleteSetting(name: string): Promise<void> {
    await this.write((repos) => repos.settings.delete(name));
  }

  // Tenants

  async createTenant(input: TenantInput): Promise<Tenant> {
    const tenant: Tenant = {
      id: (input.id ?? randomUUID()).toLowerCase(),
      displayName: requireText(input.displayName, "displayName"),
      domains: validateDomains(input.domains ?? []),
      createdDateTime: new Date().toISOString(),
    };
    if (!GUID.test(tenant.id)) throw invalid(`Tenant id '${tenant.id}' is not a GUID.`);
    return this.write(async (repos) => {
      if (await repos.tenants.get(tenant.id)) throw conflict(`Tenant '${tenant.id}' already exists.`);
      await assertDomainsFree(repos, tenant.domains, tenant.id);
      await repos.tenants.upsert(tenant);
      return tenant;
    });
  }

  async updateTenant(id: string, patch: { displayName?: string; domains?: string[] }): Promise<Tenant> {
    return this.write(async (repos) => {
      const tenant = await repos.tenants.get(id);
      if (!tenant) throw notFound("Tenant", id);
      const next: Tenant = {
        ...tenant,
        displayName:
          patch.displayName === undefined ? tenant.displayName : requireText(patch.displayName, "displayName"),
        domains: patch.domains === undefined ? tenant.domains : validateDomains(patch.domains),
      };
      await assertDomainsFree(repos, next.domains, id);
      await repos.tenants.upsert(next);
      return next;
    });
  }

  /** Deletes the tenant, its applications, and their service principals in every other tenant. */
  async deleteTenant(id: string): Promise<void> {
    await this.write(async (repos) => {
      for (const app of await repos.applications.list(id)) await repos.servicePrincipals.deleteByAppId(app.appId);
      if (!(await repos.tenants.delete(id))) throw notFound("Tenant", id);
    });
  }

  // Applications

  async createApplication(tenantId: string, input: ApplicationInput): Promise<StoredApplication> {
    const appId = (input.appId ?? randomUUID()).toLowerCase();
    if (!GUID.test(appId)) throw invalid(`appId '${appId}' is not a GUID.`);
    const id = (input.id ?? randomUUID()).toLowerCase();
    const document = validateDocument({ ...emptyApplicationDocument(), ...stripUndefined(input) });
    const app = {
      ...document,
      id,
      appId,
      tenantId,
      displayName: requireText(input.displayName, "displayName"),
      createdDateTime: new Date().toISOString(),
    };
    return this.write(async (repos) => {
      if (!(await repos.tenants.get(tenantId))) throw notFound("Tenant", tenantId);
      if (await repos.applications.getByAppId(appId))
        throw conflict(`An application with appId '${appId}' already exists.`);
      if (await repos.applications.get(id)) throw conflict(`An application with id '${id}' already exists.`);
      await assertIdentifierUrisFree(repos, app.identifierUris, appId);
      await repos.applications.insert(app);
      return { ...app, passwordCredentials: [], keyCredentials: [] };
    });
  }

  async updateApplication(id: string, patch: ApplicationPatch): Promise<StoredApplication> {
    return this.write(async (repos) => {
      const app = await this.requireApplication(repos, id);
      const document = validateDocument({ ...app, ...stripUndefined(patch) });
      const removedRoles = app.appRoles.filter((r) => !document.appRoles.some((n) => n.id === r.id));
      const stillEnabled = removedRoles.find((r) => r.isEnabled);
      if (stillEnabled) {
        throw invalid(`App role '${stillEnabled.value}' must be disabled (isEnabled: false) before it can be removed.`);
      }
      const next = {
        ...app,
        ...document,
        displayName: patch.displayName === undefined ? app.displayName : requireText(patch.displayName, "displayName"),
      };
      await assertIdentifierUrisFree(repos, next.identifierUris, app.appId);
      await repos.applications.update(next);
      return next;
    });
  }

  async deleteApplication(id: string): Promise<void> {
    await this.write(async (repos) => {
      const app = await this.requireApplication(repos, id);
      await repos.servicePrincipals.deleteByAppId(app.appId);
      await repos.applications.delete(app.id);
    });
  }

  /** Graph addPassword: returns the secret once; only its keyed hash is stored. */
  async addPassword(id: string, input: PasswordInput): Promise<{ credential: PasswordCredential; secretText: string }> {
    const secretText = input.secretText ?? generateSecret();
    if (secretText.length < MIN_CREDENTIAL_LENGTH) {
      throw invalid(`secretText must be at least ${MIN_CREDENTIAL_LENGTH} characters long.`);
    }
    const givenEnd = parseDate(input.endDateTime, "endDateTime");
    // An already expired credential is valid configuration (the token endpoint answers AADSTS7000222 for it), so
    // without a start it gets one before its end rather than "now".
    const start =
      parseDate(input.startDateTime, "startDateTime") ??
      (givenEnd && givenEnd.getTime() <= Date.now() ? new Date(givenEnd.getTime() - TWO_YEARS_MS) : new Date());
    const end = givenEnd ?? new Date(start.getTime() + TWO_YEARS_MS);
    if (end <= start) throw invalid("endDateTime must be after startDateTime.");
    const credential: PasswordCredential = {
      keyId: (input.keyId ?? randomUUID()).toLowerCase(),
      displayName: input.displayName ?? null,
      hint: secretHint(secretText),
      startDateTime: start.toISOString(),
      endDateTime: end.toISOString(),
      customKeyIdentifier: null,
    };
    await this.write(async (repos) => {
      const app = await this.requireApplication(repos, id);
      if (input.keyId && (await repos.applications.credentialExists(credential.keyId))) {
        throw conflict(`A credential with keyId '${credential.keyId}' already exists.`);
      }
      await repos.applications.addPassword(app.id, {
        ...credential,
        secretHash: hashSecret(this.pepper, secretText).toString("base64url"),
      });
    });
    return { credential, secretText };
  }

  /** Whether a stored credential was made from this secret (configuration as code re-applies literal secrets). */
  secretMatches(secretHash: string, secret: string): boolean {
    return digestsEqual(Buffer.from(secretHash, "base64url"), hashSecret(this.pepper, secret));
  }

  async removePassword(id: string, keyId: string): Promise<void> {
    await this.write(async (repos) => {
      const app = await this.requireApplication(repos, id);
      if (!(await repos.applications.removePassword(app.id, keyId))) throw notFound("Password credential", keyId);
    });
  }

  /** Registers an X.509 certificate for private_key_jwt; validity defaults to the certificate's own. */
  async addKey(id: string, input: KeyInput): Promise<KeyCredential> {
    let cert: ReturnType<typeof parseCertificate>;
    try {
      cert = parseCertificate(input.key);
    } catch {
      throw invalid("key must be an X.509 certificate, base64 DER or PEM.");
    }
    const start = parseDate(input.startDateTime, "startDateTime") ?? cert.notBefore;
    const end = parseDate(input.endDateTime, "endDateTime") ?? cert.notAfter;
    const credential = {
      keyId: (input.keyId ?? randomUUID()).toLowerCase(),
      displayName: input.displayName ?? null,
      type: "AsymmetricX509Cert" as const,
      usage: "Verify" as const,
      key: cert.der.toString("base64"),
      customKeyIdentifier: cert.thumbprints.sha1Hex,
      startDateTime: start.toISOString(),
      endDateTime: end.toISOString(),
      thumbprintSha1: cert.thumbprints.sha1,
      thumbprintSha256: cert.thumbprints.sha256,
    };
    await this.write(async (repos) => {
      const app = await this.requireApplication(repos, id);
      if (app.keyCredentials.some((k) => k.thumbprintSha256 === credential.thumbprintSha256)) {
        throw conflict("This certificate is already registered for the application.");
      }
      if (input.keyId && (await repos.applications.credentialExists(credential.keyId))) {
        throw conflict(`A credential with keyId '${credential.keyId}' already exists.`);
      }
      await repos.applications.addKey(app.id, credential);
    });
    const { thumbprintSha1: _sha1, thumbprintSha256: _sha256, ...graphShape } = credential;
    return graphShape;
  }

  async removeKey(id: string, keyId: string): Promise<void> {
    await this.write(async (repos) => {
      const app = await this.requireApplication(repos, id);
      if (!(await repos.applications.removeKey(app.id, keyId))) throw notFound("Key credential", keyId);
    });
  }

  private async requireApplication(repos: Repositories, id: string): Promise<StoredApplication> {
    const app = (await repos.applications.get(id)) ?? (await repos.applications.getByAppId(id));
    if (!app) throw notFound("Application", id);
    return app;
  }

  // Service principals

  async createServicePrincipal(
    tenantId: string,
    appId: string,
    patch: ServicePrincipalPatch = {},
  ): Promise<ServicePrincipal> {
    return this.write(async (repos) => {
      if (!(await repos.tenants.get(tenantId))) throw notFound("Tenant", tenantId);
      const app = await repos.applications.getByAppId(appId.toLowerCase());
      if (!app) throw notFound("Application with appId", appId);
      if (app.tenantId !== tenantId && app.signInAudience === "AzureADMyOrg") {
        throw invalid(
          `Application '${app.appId}' is single-tenant (AzureADMyOrg): it has no service principal outside its home tenant.`,
        );
      }
      if (await repos.servicePrincipals.findByAppId(tenantId, app.appId)) {
        throw conflict(`A service principal for appId '${app.appId}' already exists in this tenant.`);
      }
      const sp: ServicePrincipal = {
        id: randomUUID(),
        appId: app.appId,
        tenantId,
        displayName: patch.displayName ?? app.displayName,
        accountEnabled: patch.accountEnabled ?? true,
        appRoleAssignmentRequired: patch.appRoleAssignmentRequired ?? false,
        servicePrincipalType: "Application",
        createdDateTime: new Date().toISOString(),
      };
      await repos.servicePrincipals.insert(sp);
      return sp;
    });
  }

  async updateServicePrincipal(id: string, patch: ServicePrincipalPatch): Promise<ServicePrincipal> {
    return this.write(async (repos) => {
      const sp = await repos.servicePrincipals.get(id);
      if (!sp) throw notFound("Service principal", id);
      const next = { ...sp, ...stripUndefined(patch) };
      await repos.servicePrincipals.update(next);
      return next;
    });
  }

  async deleteServicePrincipal(id: string): Promise<void> {
    await this.write(async (repos) => {
      if (!(await repos.servicePrincipals.delete(id))) throw notFound("Service principal", id);
    });
  }

  // Consent

  /** Admin consent of an application permission: an appRoleAssignment from the client SP to the resource SP. */
  async grantAppRole(input: {
    principalId: string;
    resourceId: string;
    appRoleId: string;
  }): Promise<AppRoleAssignment> {
    return this.write(async (repos) => {
      const resource = await repos.servicePrincipals.get(input.resourceId);
      if (!resource) throw notFound("Resource service principal", input.resourceId);
      const principal = await repos.servicePrincipals.get(input.principalId);
      if (!principal) throw notFound("Principal service principal", input.principalId);
      if (principal.tenantId !== resource.tenantId)
        throw invalid("principalId and resourceId are in different tenants.");
      const app = await repos.applications.getByAppId(resource.appId);
      if (!app) throw notFound("Application with appId", resource.appId);
      if (input.appRoleId !== DEFAULT_ACCESS_ROLE_ID) {
        const role = app.appRoles.find((r) => r.id === input.appRoleId);
        if (!role) throw invalid(`appRoleId '${input.appRoleId}' is not an app role of '${app.displayName}'.`);
        if (!role.allowedMemberTypes.includes("Application")) {
          throw invalid(`App role '${role.value}' does not allow the member type Application.`);
        }
      }
      const existing = await repos.assignments.find(principal.id, resource.id, input.appRoleId);
      if (existing) throw conflict("Permission being assigned already exists on the object.");
      const assignment: AppRoleAssignment = {
        id: randomUUID(),
        tenantId: resource.tenantId,
        principalId: principal.id,
        resourceId: resource.id,
        appRoleId: input.appRoleId,
        createdDateTime: new Date().toISOString(),
      };
      await repos.assignments.insert(assignment);
      return assignment;
    });
  }

  async revokeAppRole(id: string): Promise<void> {
    await this.write(async (repos) => {
      if (!(await repos.assignments.delete(id))) throw notFound("App role assignment", id);
    });
  }
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw invalid(`${field} is required.`);
  return value;
}

function validateDomains(domains: string[]): string[] {
  for (const d of domains) if (!DOMAIN.test(d)) throw invalid(`'${d}' is not a valid domain name.`);
  return [...new Set(domains.map((d) => d.toLowerCase()))];
}

async function assertDomainsFree(repos: Repositories, domains: string[], tenantId: string) {
  for (const tenant of await repos.tenants.list()) {
    if (tenant.id === tenantId) continue;
    const taken = tenant.domains.find((d) => domains.includes(d));
    if (taken) throw conflict(`The domain '${taken}' is already verified by tenant '${tenant.displayName}'.`);
  }
}

async function assertIdentifierUrisFree(repos: Repositories, uris: string[], appId: string) {
  const wanted = new Set(uris.map((u) => u.toLowerCase().replace(/\/+$/, "")));
  for (const other of await repos.applications.list()) {
    if (other.appId === appId) continue;
    const taken = [other.appId, ...other.identifierUris].find((u) => wanted.has(u.toLowerCase().replace(/\/+$/, "")));
    if (taken)
      throw conflict(`Another object with the same value for property identifierUris already exists: '${taken}'.`);
  }
}

function parseDate(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(`${field} '${value}' is not an ISO 8601 date-time.`);
  return date;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Graph's rules for the parts of an application that tokens depend on. */
function validateDocument(input: Partial<Application> & ApplicationDocument): ApplicationDocument {
  const version = input.api.requestedAccessTokenVersion;
  if (version !== null && version !== 1 && version !== 2) {
    throw invalid("api.requestedAccessTokenVersion must be 1, 2 or null.");
  }
  for (const uri of input.identifierUris) {
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw invalid(`identifierUris: '${uri}' is not an absolute URI.`);
  }
  const roleIds = new Set<string>();
  const roleValues = new Set<string>();
  for (const role of input.appRoles) validateRole(role, roleIds, roleValues);
  for (const scope of input.api.oauth2PermissionScopes) {
    if (!GUID.test(scope.id)) throw invalid(`oauth2PermissionScopes: id '${scope.id}' is not a GUID.`);
    if (roleIds.has(scope.id)) throw invalid(`oauth2PermissionScopes: id '${scope.id}' is already used.`);
    roleIds.add(scope.id);
  }
  for (const rra of input.requiredResourceAccess) {
    if (!GUID.test(rra.resourceAppId))
      throw invalid(`requiredResourceAccess: resourceAppId '${rra.resourceAppId}' is not a GUID.`);
    for (const access of rra.resourceAccess) {
      if (!GUID.test(access.id)) throw invalid(`requiredResourceAccess: id '${access.id}' is not a GUID.`);
      if (access.type !== "Role" && access.type !== "Scope")
        throw invalid("requiredResourceAccess: type must be Role or Scope.");
    }
  }
  return {
    description: input.description,
    notes: input.notes,
    signInAudience: input.signInAudience,
    identifierUris: input.identifierUris,
    appRoles: input.appRoles,
    api: input.api,
    requiredResourceAccess: input.requiredResourceAccess,
    tags: input.tags,
  };
}

function validateRole(role: AppRole, ids: Set<string>, values: Set<string>) {
  if (!GUID.test(role.id)) throw invalid(`appRoles: id '${role.id}' is not a GUID.`);
  if (ids.has(role.id)) throw invalid(`appRoles: id '${role.id}' is used twice.`);
  ids.add(role.id);
  if (role.value !== null) {
    if (role.value.length > 120 || /\s/.test(role.value) || role.value.startsWith(".")) {
      throw invalid(
        `appRoles: value '${role.value}' must be at most 120 characters, without spaces, not starting with '.'.`,
      );
    }
    if (values.has(role.value)) throw invalid(`appRoles: value '${role.value}' is used twice.`);
    values.add(role.value);
  }
  if (
    role.allowedMemberTypes.length === 0 ||
    role.allowedMemberTypes.some((t) => t !== "Application" && t !== "User")
  ) {
    throw invalid("appRoles: allowedMemberTypes must contain Application and/or User.");
  }
}
