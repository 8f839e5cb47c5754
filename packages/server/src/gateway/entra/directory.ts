import { randomUUID } from "node:crypto";
import { GraphRequestError, GraphUnavailableError } from "./errors.js";
import { GraphClient, type DirectoryIdentity } from "./graph-client.js";
import type {
  GraphApplication,
  GraphAppRole,
  GraphAppRoleAssignment,
  GraphNewPassword,
  GraphOrganization,
  GraphRequiredResourceAccess,
  GraphServicePrincipal,
} from "./graph-shapes.js";
import { applicationIdUri, clientApplicationName, productApplicationName, productRoleValue } from "./naming.js";
import { transport, type Transport } from "./transport.js";
import type { IdentityEndpoint } from "../managed-identity/token-source.js";

export interface EntraDirectoryOptions {
  /** The gateway's managed identity in the tenant the applications live in, or why it has none. */
  identity: DirectoryIdentity | { missing: string };
  /**
   * Graph's versioned base URL in the tenant the applications live in: `https://graph.microsoft.com/v1.0` (the token's
   * tenant), or `<admin URL>/<tenant>/v1.0` for Gatehouse.
   */
  graphUrl: string;
  /** CA certificates (PEM) trusted besides the usual roots: the local Gatehouse CA. */
  extraCa?: readonly string[];
  /** Per Graph or token request, default 30 s. */
  timeoutMs?: number;
}

/** The product's app registration: what the product stores and shows as `application.entra`. */
export interface ProductApplication {
  /** The registration's appId: the product's `application.entra.applicationId`. */
  applicationId: string;
  objectId: string;
  servicePrincipalId: string;
  /** `api://<appId>`: the audience of tokens for the product (scope `api://<appId>/.default`). */
  audience: string;
  roleId: string;
  /** `Product.<product>.All`, the role a client must hold. */
  roleValue: string;
}

/** A client application's registration: its appId is the client application's `entraApplicationId`. */
export interface ClientApplicationRegistration {
  appId: string;
  objectId: string;
  servicePrincipalId: string;
}

export interface ClientSecret {
  /** Shown once: never stored, logged or returned again. */
  secret: string;
  /** ISO 8601. */
  expiresAt: string;
  /** The credential's id, to remove it later (rotation). */
  keyId: string;
}

/** The Gatehouse admin API as the directory, reached with the gateway's managed identity. */
export function gatehouseDirectoryOptions(input: {
  adminUrl: string;
  /** The tenant (GUID or domain) product and client applications are created in; absent: the default tenant. */
  tenant?: string;
  /** The gateway's identity endpoint and header (gateway/managed-identity), or why it has none. */
  identity: IdentityEndpoint | { missing: string };
  /** The management API's appId: the identity holds its application administrator role in the tenant. */
  managementAppId: string;
  extraCa?: readonly string[];
}): EntraDirectoryOptions {
  const { identity } = input;
  // Gatehouse's Graph routes without a tenant segment work in its default tenant.
  const tenant = input.tenant === undefined ? "" : `/${encodeURIComponent(input.tenant)}`;
  return {
    identity:
      "missing" in identity
        ? identity
        : {
            endpoint: identity.endpoint,
            identityHeader: identity.header,
            resource: `api://${input.managementAppId}`,
          },
    graphUrl: `${input.adminUrl.replace(/\/+$/, "")}${tenant}/v1.0`,
    ...(input.extraCa ? { extraCa: input.extraCa } : {}),
  };
}

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const segment = (id: string) => encodeURIComponent(id);
/** An OData string literal: quotes doubled. */
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The gateway's Entra client: provisions the app registrations of application-based access (reference apim.md §5)
 * through Microsoft Graph v1.0 only — Gatehouse's admin API or graph.microsoft.com — with the gateway's managed
 * identity, as API Management does with its own. Operations are idempotent where
 * APIM's are: ensuring finds what exists instead of creating twins, and removing what is gone is done.
 */
export class EntraDirectory {
  private readonly graph: GraphClient;
  private readonly transport: Transport;
  private tenant: Promise<string> | undefined;

  constructor(options: EntraDirectoryOptions) {
    this.transport = transport(options.extraCa ?? []);
    this.graph = new GraphClient({
      identity: options.identity,
      graphUrl: options.graphUrl,
      fetch: this.transport.fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
  }

  /** The id of the tenant the applications live in (Graph `organization`), asked once. */
  tenantId(): Promise<string> {
    this.tenant ??= this.graph.list<GraphOrganization>("/organization").then(
      ([organization]) => {
        if (!organization) throw new GraphUnavailableError("GET /organization answered no organization");
        return organization.id;
      },
      (error: unknown) => {
        this.tenant = undefined;
        throw error;
      },
    );
    return this.tenant;
  }

  /**
   * The product's registration `APIMProductApplication<Product>` with its App ID URI `api://<appId>` (set after
   * creation, as the portal does), the application role `Product.<product>.All` and an enabled service principal
   * that requires an assignment (so only granted clients get tokens for it). `known` (the ids stored when it was
   * first enabled) is found again; without it, a registration of that name is. Re-enabling a disabled product
   * application enables its service principal again.
   */
  async ensureProductApplication(
    productName: string,
    displayName: string,
    known?: Pick<ProductApplication, "objectId">,
  ): Promise<ProductApplication> {
    const name = productApplicationName(productName);
    const roleValue = productRoleValue(productName);
    const existing =
      (known && (await this.applicationOrNothing(known.objectId))) ?? (await this.applicationNamed(name, roleValue));
    const role = productRole(existing?.appRoles ?? [], roleValue, displayName);
    const app =
      existing ??
      (await this.create<GraphApplication>("/applications", {
        displayName: name,
        description: `API Management product '${displayName}': tokens for this audience open the product's APIs.`,
        signInAudience: "AzureADMyOrg",
        appRoles: [role.role],
      }));

    const audience = applicationIdUri(app.appId);
    const patch: Partial<Pick<GraphApplication, "identifierUris" | "appRoles">> = {};
    if (!app.identifierUris.includes(audience)) patch.identifierUris = [...app.identifierUris, audience];
    if (existing && role.changed) patch.appRoles = [...app.appRoles.filter((r) => r.id !== role.role.id), role.role];
    if (Object.keys(patch).length > 0) await this.graph.send("PATCH", `/applications/${segment(app.id)}`, patch);

    const sp = await this.servicePrincipal(app.appId, { appRoleAssignmentRequired: true });
    if (!sp.accountEnabled) await this.setAccountEnabled(sp.id, true);
    return {
      applicationId: app.appId,
      objectId: app.id,
      servicePrincipalId: sp.id,
      audience,
      roleId: role.role.id,
      roleValue,
    };
  }

  /**
   * Turns application access off: the service principal is disabled (no more tokens for the product, AADSTS7000112),
   * never deleted, so turning it on again finds the same registration, audience and grants.
   */
  async disableProductApplication(app: Pick<ProductApplication, "servicePrincipalId">): Promise<void> {
    await this.setAccountEnabled(app.servicePrincipalId, false).catch(ignoreNotFound);
  }

  /** The client's registration `APIMApplication<Name>` and service principal; one of that name is reused. */
  async createClientApplication(name: string): Promise<ClientApplicationRegistration> {
    const displayName = clientApplicationName(name);
    const app =
      (await this.applicationNamed(displayName)) ??
      (await this.create<GraphApplication>("/applications", { displayName, signInAudience: "AzureADMyOrg" }));
    const sp = await this.servicePrincipal(app.appId, {});
    return { appId: app.appId, objectId: app.id, servicePrincipalId: sp.id };
  }

  /**
   * Grants the client the product's role with admin consent (an appRoleAssignment on the product's service
   * principal) and lists it among the client's API permissions (`requiredResourceAccess`), as the portal shows it.
   */
  async grantProduct(client: ClientApplicationRegistration, product: ProductApplication): Promise<void> {
    const held = await this.assignmentsOf(client, product);
    if (held.length === 0) {
      await this.create(`/servicePrincipals/${segment(product.servicePrincipalId)}/appRoleAssignedTo`, {
        principalId: client.servicePrincipalId,
        resourceId: product.servicePrincipalId,
        appRoleId: product.roleId,
      });
    }
    await this.updatePermissions(client, (list) => withPermission(list, product));
  }

  /** Removes the client's role on the product and the permission entry; granting nothing is done. */
  async revokeProduct(client: ClientApplicationRegistration, product: ProductApplication): Promise<void> {
    for (const assignment of await this.assignmentsOf(client, product)) {
      await this.graph
        .send(
          "DELETE",
          `/servicePrincipals/${segment(product.servicePrincipalId)}/appRoleAssignedTo/${segment(assignment.id)}`,
        )
        .catch(ignoreNotFound);
    }
    await this.updatePermissions(client, (list) => withoutPermission(list, product));
  }

  /** A new client secret, valid one year (Graph addPassword with endDateTime); earlier ones stay valid (rotation). */
  async addClientSecret(
    client: Pick<ClientApplicationRegistration, "objectId">,
    now: Date = new Date(),
  ): Promise<ClientSecret> {
    const end = new Date(now);
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    const added = await this.create<GraphNewPassword>(`/applications/${segment(client.objectId)}/addPassword`, {
      passwordCredential: { displayName: "Client secret", endDateTime: end.toISOString() },
    });
    return { secret: added.secretText, expiresAt: added.endDateTime, keyId: added.keyId };
  }

  async removeClientSecret(client: Pick<ClientApplicationRegistration, "objectId">, keyId: string): Promise<void> {
    await this.graph.send("POST", `/applications/${segment(client.objectId)}/removePassword`, { keyId });
  }

  /** Deletes the registration and with it its service principal: no token can be issued for it any more. */
  async deleteClientApplication(client: Pick<ClientApplicationRegistration, "objectId">): Promise<void> {
    await this.graph.send("DELETE", `/applications/${segment(client.objectId)}`).catch(ignoreNotFound);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async create<T>(path: string, body: unknown): Promise<T> {
    const created = await this.graph.send<T>("POST", path, body);
    if (created === undefined) throw new GraphUnavailableError(`POST ${path} answered without the new object`);
    return created;
  }

  private applicationOrNothing(objectId: string): Promise<GraphApplication | undefined> {
    return this.graph.get<GraphApplication>(`/applications/${segment(objectId)}`).catch(nothingIfNotFound);
  }

  /** A registration of this display name; with `roleValue`, preferably one that has that role already. */
  private async applicationNamed(displayName: string, roleValue?: string): Promise<GraphApplication | undefined> {
    const filter = encodeURIComponent(`displayName eq ${literal(displayName)}`);
    const found = await this.graph.list<GraphApplication>(`/applications?$filter=${filter}`);
    const exact = found.filter((app) => app.displayName === displayName);
    return exact.find((app) => app.appRoles.some((r) => r.value === roleValue)) ?? exact[0];
  }

  /** The application's service principal in the tenant, created with `settings` when there is none. */
  private async servicePrincipal(
    appId: string,
    settings: { appRoleAssignmentRequired?: boolean },
  ): Promise<GraphServicePrincipal> {
    const found = await this.graph
      .get<GraphServicePrincipal>(`/servicePrincipals(appId=${literal(appId)})`)
      .catch(nothingIfNotFound);
    return found ?? this.create<GraphServicePrincipal>("/servicePrincipals", { appId, ...settings });
  }

  private async setAccountEnabled(servicePrincipalId: string, accountEnabled: boolean): Promise<void> {
    await this.graph.send("PATCH", `/servicePrincipals/${segment(servicePrincipalId)}`, { accountEnabled });
  }

  /** The client's assignments of the product's role (listed from the client's side: a client holds few). */
  private async assignmentsOf(
    client: ClientApplicationRegistration,
    product: ProductApplication,
  ): Promise<GraphAppRoleAssignment[]> {
    const held = await this.graph.list<GraphAppRoleAssignment>(
      `/servicePrincipals/${segment(client.servicePrincipalId)}/appRoleAssignments`,
    );
    return held.filter((a) => sameId(a.resourceId, product.servicePrincipalId) && sameId(a.appRoleId, product.roleId));
  }

  private async updatePermissions(
    client: ClientApplicationRegistration,
    change: (list: GraphRequiredResourceAccess[]) => GraphRequiredResourceAccess[] | undefined,
  ): Promise<void> {
    const app = await this.graph.get<GraphApplication>(`/applications/${segment(client.objectId)}`);
    const requiredResourceAccess = change(app.requiredResourceAccess);
    if (requiredResourceAccess) {
      await this.graph.send("PATCH", `/applications/${segment(client.objectId)}`, { requiredResourceAccess });
    }
  }
}

/** The product's role as it must be (enabled, for applications), and whether the registration needs it written. */
function productRole(
  roles: readonly GraphAppRole[],
  value: string,
  productDisplayName: string,
): { role: GraphAppRole; changed: boolean } {
  const existing = roles.find((r) => r.value === value);
  if (!existing) {
    return {
      changed: true,
      role: {
        id: randomUUID(),
        value,
        displayName: `${productDisplayName} (all APIs)`,
        description: `Call every API of the API Management product '${productDisplayName}'.`,
        allowedMemberTypes: ["Application"],
        isEnabled: true,
        origin: "Application",
      },
    };
  }
  const forApplications = existing.allowedMemberTypes.includes("Application");
  if (existing.isEnabled && forApplications) return { role: existing, changed: false };
  const allowedMemberTypes = forApplications
    ? existing.allowedMemberTypes
    : [...existing.allowedMemberTypes, "Application"];
  return { role: { ...existing, isEnabled: true, allowedMemberTypes }, changed: true };
}

/** The list with the product's role as an application permission, or undefined when it has it already. */
function withPermission(
  list: readonly GraphRequiredResourceAccess[],
  product: ProductApplication,
): GraphRequiredResourceAccess[] | undefined {
  const entry = list.find((e) => sameId(e.resourceAppId, product.applicationId));
  if (entry?.resourceAccess.some((a) => a.type === "Role" && sameId(a.id, product.roleId))) return undefined;
  const access = { id: product.roleId, type: "Role" as const };
  if (!entry) return [...list, { resourceAppId: product.applicationId, resourceAccess: [access] }];
  return list.map((e) => (e === entry ? { ...e, resourceAccess: [...e.resourceAccess, access] } : e));
}

/** The list without the product's role, or undefined when it does not have it. */
function withoutPermission(
  list: readonly GraphRequiredResourceAccess[],
  product: ProductApplication,
): GraphRequiredResourceAccess[] | undefined {
  const isRole = (a: GraphRequiredResourceAccess["resourceAccess"][number]) =>
    a.type === "Role" && sameId(a.id, product.roleId);
  const entry = list.find((e) => sameId(e.resourceAppId, product.applicationId));
  if (!entry?.resourceAccess.some(isRole)) return undefined;
  const rest = entry.resourceAccess.filter((a) => !isRole(a));
  return rest.length === 0
    ? list.filter((e) => e !== entry)
    : list.map((e) => (e === entry ? { ...e, resourceAccess: rest } : e));
}

function nothingIfNotFound(error: unknown): undefined {
  if (error instanceof GraphRequestError && error.status === 404) return undefined;
  throw error;
}

/** Removing what is already gone is done. */
function ignoreNotFound(error: unknown): void {
  nothingIfNotFound(error);
}
