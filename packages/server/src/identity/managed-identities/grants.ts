import type { AppRoleAssignment } from "../model.js";
import type { Registry } from "../registry.js";
import { invalid, notFound } from "../registry-errors.js";
import type { ManagedIdentity } from "./model.js";

const normalize = (identifier: string) => identifier.toLowerCase().replace(/\/+$/, "");

/**
 * Admin consent of one app role to a managed identity, named as people name them: the resource by appId or App ID
 * URI and the role by its value (or its id). The resource's service principal is created in the identity's tenant when it has
 * none, as consent does in Entra. Idempotent: an existing grant is returned as it is.
 */
export async function grantRoleToIdentity(
  registry: Registry,
  identity: ManagedIdentity,
  resource: string,
  roleValueOrId: string,
): Promise<{ assignment: AppRoleAssignment; created: boolean }> {
  const wanted = normalize(resource);
  const app = (await registry.read((repos) => repos.applications.list())).find(
    (a) => a.appId === wanted || a.identifierUris.some((uri) => normalize(uri) === wanted),
  );
  if (!app) throw notFound("Application with appId or App ID URI", resource);
  const role = app.appRoles.find((r) => r.value === roleValueOrId || r.id === roleValueOrId.toLowerCase());
  if (!role) throw invalid(`'${app.displayName}' has no app role '${roleValueOrId}'.`);
  const resourceSp =
    (await registry.read((repos) => repos.servicePrincipals.findByAppId(identity.tenantId, app.appId))) ??
    (await registry.createServicePrincipal(identity.tenantId, app.appId));
  const existing = await registry.read((repos) => repos.assignments.find(identity.principalId, resourceSp.id, role.id));
  if (existing) return { assignment: existing, created: false };
  const assignment = await registry.grantAppRole({
    principalId: identity.principalId,
    resourceId: resourceSp.id,
    appRoleId: role.id,
  });
  return { assignment, created: true };
}
