import type { ServicePrincipal } from "../../identity/model.js";
import type { Registry } from "../../identity/registry.js";
import type { BuiltInObjects } from "../built-in.js";
import { graphErrors } from "../graph-errors.js";
import { entityKey } from "../identifiers.js";
import { collection, entity, parseSelect } from "../odata.js";
import { created, noContent, ok, operation, type Operation, type RequestContext } from "../operations.js";
import { servicePrincipal, servicePrincipalCreate, servicePrincipalUpdate } from "../schemas.js";
import { servicePrincipalView } from "../views.js";

const SERVICE_PRINCIPALS = {
  set: "servicePrincipals",
  type: "microsoft.graph.servicePrincipal",
  properties: Object.keys(servicePrincipal.shape),
  filterable: ["appId", "displayName", "servicePrincipalType"],
} as const;
const TAG = "servicePrincipals";

/** The service principal a URL names, in the route's tenant (by `{id}` or `(appId='…')`), or Graph's 404. */
export function servicePrincipalFinder(registry: Registry) {
  return async (context: RequestContext): Promise<ServicePrincipal> => {
    const tenant = await context.tenant();
    const key = entityKey(context);
    const sp = await registry.read((repos) =>
      key.property === "id"
        ? repos.servicePrincipals.get(key.value)
        : repos.servicePrincipals.findByAppId(tenant.id, key.value),
    );
    if (!sp || sp.tenantId !== tenant.id) throw graphErrors.notFound(key.value);
    return sp;
  };
}

/** Graph's servicePrincipals: an application's presence in a tenant, with app roles copied from the application. */
export function servicePrincipalOperations(registry: Registry, builtIn: BuiltInObjects): Operation[] {
  const find = servicePrincipalFinder(registry);
  const findWritable = async (context: RequestContext) => {
    const sp = await find(context);
    builtIn.assertWritableServicePrincipal(sp);
    return sp;
  };
  const view = async (sp: ServicePrincipal) =>
    registry.read(async (repos) =>
      servicePrincipalView(sp, await repos.applications.getByAppId(sp.appId), await repos.managedIdentities.get(sp.id)),
    );

  return [
    operation({
      method: "GET",
      path: "/servicePrincipals",
      summary: "List the service principals of the tenant",
      tag: TAG,
      query: ["$filter", "$top", "$select", "$skiptoken"],
      response: { status: 200, description: "The service principals", schema: servicePrincipal, shape: "collection" },
      handle: async (context) => {
        const tenant = await context.tenant();
        const [sps, apps, identities] = await registry.read((repos) =>
          Promise.all([
            repos.servicePrincipals.list(tenant.id),
            repos.applications.list(),
            repos.managedIdentities.list({ tenantId: tenant.id }),
          ]),
        );
        const appsById = new Map(apps.map((app) => [app.appId, app]));
        const identitiesById = new Map(identities.map((identity) => [identity.principalId, identity]));
        const views = sps.map((sp) => servicePrincipalView(sp, appsById.get(sp.appId), identitiesById.get(sp.id)));
        return ok(collection(context.request, views, SERVICE_PRINCIPALS));
      },
    }),
    operation({
      method: "POST",
      path: "/servicePrincipals",
      summary: "Create the service principal of an application in the tenant",
      tag: TAG,
      body: servicePrincipalCreate,
      response: { status: 201, description: "The new service principal", schema: servicePrincipal, shape: "entity" },
      handle: async (context) => {
        const tenant = await context.tenant();
        const { appId, ...settings } = context.body;
        // The management API's service principals are Gatehouse's own (built-in.ts), in any tenant.
        builtIn.assertWritableServicePrincipal({ appId: appId.toLowerCase(), tenantId: tenant.id, displayName: appId });
        const sp = await registry.createServicePrincipal(tenant.id, appId, settings);
        return created(entity(SERVICE_PRINCIPALS.set, await view(sp)));
      },
    }),
    operation({
      method: "GET",
      path: "/servicePrincipals/{id}",
      alternateKey: "appId",
      summary: "Read a service principal",
      tag: TAG,
      query: ["$select"],
      response: { status: 200, description: "The service principal", schema: servicePrincipal, shape: "entity" },
      handle: async (context) => {
        const select = parseSelect(context.query, SERVICE_PRINCIPALS.properties, SERVICE_PRINCIPALS.type);
        return ok(entity(SERVICE_PRINCIPALS.set, await view(await find(context)), select));
      },
    }),
    operation({
      method: "PATCH",
      path: "/servicePrincipals/{id}",
      alternateKey: "appId",
      summary: "Update a service principal (accountEnabled false blocks its tokens)",
      tag: TAG,
      body: servicePrincipalUpdate,
      response: { status: 204, description: "Updated" },
      handle: async (context) => {
        const sp = await findWritable(context);
        if (Object.keys(context.body).length > 0) await registry.updateServicePrincipal(sp.id, context.body);
        return noContent();
      },
    }),
    operation({
      method: "DELETE",
      path: "/servicePrincipals/{id}",
      alternateKey: "appId",
      summary: "Delete a service principal and its role assignments (a managed identity's: delete the identity)",
      tag: TAG,
      response: { status: 204, description: "Deleted" },
      handle: async (context) => {
        const sp = await findWritable(context);
        if (sp.servicePrincipalType === "ManagedIdentity") {
          throw graphErrors.badRequest(
            "A managed identity's service principal is deleted with the identity: delete the user-assigned identity, or turn off its host's system-assigned identity.",
          );
        }
        await registry.deleteServicePrincipal(sp.id);
        return noContent();
      },
    }),
  ];
}
