import { X509Certificate, type KeyObject } from "node:crypto";
import type { StoredApplication } from "../store/repositories/applications.js";
import type { Repositories } from "../store/store.js";
import type { AppRoleAssignment, ServicePrincipal, StoredKeyCredential, Tenant } from "./model.js";
import { HostDirectory, type HostDirectoryInput } from "./managed-identities/host-directory.js";

export interface SecretEntry {
  keyId: string;
  hash: Buffer;
  start: number;
  end: number;
}

export interface CertificateEntry {
  credential: StoredKeyCredential;
  publicKey: KeyObject;
  sha1Hex: string;
  start: number;
  end: number;
}

export interface ClientEntry {
  app: StoredApplication;
  secrets: SecretEntry[];
  /** Keyed by base64url SHA-1 (`x5t`) and SHA-256 (`x5t#S256`) thumbprints. */
  certificates: Map<string, CertificateEntry>;
}

/**
 * An immutable, in-memory view of the identity configuration, built once per store revision so the token path
 * answers from maps without a database query.
 */
export class Directory {
  private readonly tenantsByKey = new Map<string, Tenant>();
  private readonly clients = new Map<string, ClientEntry>();
  private readonly resourcesByIdentifier = new Map<string, StoredApplication>();
  private readonly servicePrincipals = new Map<string, ServicePrincipal>();
  private readonly grants = new Map<string, AppRoleAssignment[]>();

  constructor(
    readonly revision: number,
    readonly tenants: Tenant[],
    applications: StoredApplication[],
    servicePrincipals: ServicePrincipal[],
    assignments: AppRoleAssignment[],
    /** Managed identities and their hosts, for the managed-identity endpoints. */
    readonly hosts: HostDirectory = new HostDirectory({ identities: [], hosts: [], headers: [] }),
  ) {
    for (const tenant of tenants) {
      this.tenantsByKey.set(tenant.id.toLowerCase(), tenant);
      for (const domain of tenant.domains) this.tenantsByKey.set(domain.toLowerCase(), tenant);
    }
    for (const app of applications) {
      this.clients.set(app.appId.toLowerCase(), clientEntry(app));
      this.resourcesByIdentifier.set(app.appId.toLowerCase(), app);
      for (const uri of app.identifierUris) this.resourcesByIdentifier.set(normalizeIdentifier(uri), app);
    }
    for (const sp of servicePrincipals) this.servicePrincipals.set(spKey(sp.tenantId, sp.appId), sp);
    for (const a of assignments) {
      const key = grantKey(a.principalId, a.resourceId);
      const list = this.grants.get(key);
      if (list) list.push(a);
      else this.grants.set(key, [a]);
    }
  }

  static async load(repos: Repositories, revision: number): Promise<Directory> {
    const [tenants, apps, sps, assignments, identities, hosts, headers] = await Promise.all([
      repos.tenants.list(),
      repos.applications.list(),
      repos.servicePrincipals.list(),
      repos.assignments.list(),
      repos.managedIdentities.list(),
      repos.managedIdentities.listHosts(),
      repos.managedIdentities.listHeaders(),
    ]);
    const managed: HostDirectoryInput = { identities, hosts, headers };
    return new Directory(revision, tenants, apps, sps, assignments, new HostDirectory(managed));
  }

  /** A tenant by GUID or verified domain, case-insensitively. */
  tenant(segment: string): Tenant | undefined {
    return this.tenantsByKey.get(segment.toLowerCase());
  }

  client(appId: string): ClientEntry | undefined {
    return this.clients.get(appId.toLowerCase());
  }

  /** The application behind an App ID URI or appId, with or without a trailing slash. */
  resource(identifier: string): StoredApplication | undefined {
    return this.resourcesByIdentifier.get(normalizeIdentifier(identifier));
  }

  servicePrincipal(tenantId: string, appId: string): ServicePrincipal | undefined {
    return this.servicePrincipals.get(spKey(tenantId, appId));
  }

  assignments(principalId: string, resourceId: string): AppRoleAssignment[] {
    return this.grants.get(grantKey(principalId, resourceId)) ?? [];
  }
}

const spKey = (tenantId: string, appId: string) => `${tenantId}|${appId.toLowerCase()}`;
const grantKey = (principalId: string, resourceId: string) => `${principalId}|${resourceId}`;
const normalizeIdentifier = (uri: string) => uri.toLowerCase().replace(/\/+$/, "");

function clientEntry(app: StoredApplication): ClientEntry {
  const secrets = app.passwordCredentials.map((p) => ({
    keyId: p.keyId,
    hash: Buffer.from(p.secretHash, "base64url"),
    start: Date.parse(p.startDateTime),
    end: Date.parse(p.endDateTime),
  }));
  const certificates = new Map<string, CertificateEntry>();
  for (const credential of app.keyCredentials) {
    const entry: CertificateEntry = {
      credential,
      publicKey: new X509Certificate(Buffer.from(credential.key, "base64")).publicKey,
      sha1Hex: credential.customKeyIdentifier,
      start: Date.parse(credential.startDateTime),
      end: Date.parse(credential.endDateTime),
    };
    certificates.set(credential.thumbprintSha1, entry);
    certificates.set(credential.thumbprintSha256, entry);
  }
  return { app, secrets, certificates };
}
