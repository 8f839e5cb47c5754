import type { Registry } from "../../identity/registry.js";
import type { BuiltInObjects } from "../built-in.js";
import { collection, entity } from "../odata.js";
import { created, noContent, ok, operation, type Operation, type RequestContext } from "../operations.js";
import { tenant, tenantCreate, tenantUpdate } from "../schemas.js";
import { findTenant, tenantNotFound } from "../tenant-scope.js";
import { tenantView } from "../views.js";

const TENANTS = { set: "tenants", type: "gatehouse.tenant", properties: Object.keys(tenant.shape) } as const;
const TAG = "tenants";

/** `verifiedDomains: [{ name }]` is accepted as Graph's spelling of `domains`. */
const domainsOf = (body: { domains?: string[]; verifiedDomains?: { name: string }[] }) =>
  body.domains ?? body.verifiedDomains?.map((d) => d.name);

/** Tenants are a Gatehouse extension (Graph has no such collection); they live at the root, not in a tenant scope. */
export function tenantOperations(registry: Registry, builtIn: BuiltInObjects): Operation[] {
  const find = async (context: RequestContext) => {
    const segment = context.param("id");
    const found = await findTenant(registry, segment);
    if (!found) throw tenantNotFound(segment);
    return found;
  };

  return [
    operation({
      method: "GET",
      path: "/v1.0/tenants",
      summary: "List the tenants, the management tenant included",
      tag: TAG,
      query: ["$filter", "$top", "$select", "$skiptoken"],
      response: { status: 200, description: "The tenants", schema: tenant, shape: "collection" },
      handle: async (context) => {
        const tenants = await registry.read((repos) => repos.tenants.list());
        return ok(
          collection(context.request, tenants.map(tenantView), { ...TENANTS, filterable: ["id", "displayName"] }),
        );
      },
    }),
    operation({
      method: "POST",
      path: "/v1.0/tenants",
      summary: "Create a tenant",
      tag: TAG,
      body: tenantCreate,
      response: { status: 201, description: "The new tenant", schema: tenant, shape: "entity" },
      handle: async ({ body }) => {
        const domains = domainsOf(body);
        const createdTenant = await registry.createTenant({
          displayName: body.displayName,
          ...(body.id !== undefined ? { id: body.id } : {}),
          ...(domains !== undefined ? { domains } : {}),
        });
        return created(entity(TENANTS.set, tenantView(createdTenant)));
      },
    }),
    operation({
      method: "GET",
      path: "/v1.0/tenants/{id}",
      summary: "Read a tenant (by GUID or verified domain)",
      tag: TAG,
      response: { status: 200, description: "The tenant", schema: tenant, shape: "entity" },
      handle: async (context) => ok(entity(TENANTS.set, tenantView(await find(context)))),
    }),
    operation({
      method: "PATCH",
      path: "/v1.0/tenants/{id}",
      summary: "Rename a tenant or replace its verified domains",
      tag: TAG,
      body: tenantUpdate,
      response: { status: 204, description: "Updated" },
      handle: async (context) => {
        const found = await find(context);
        await registry.updateTenant(found.id, {
          displayName: context.body.displayName,
          domains: domainsOf(context.body),
        });
        return noContent();
      },
    }),
    operation({
      method: "DELETE",
      path: "/v1.0/tenants/{id}",
      summary: "Delete a tenant with its applications, service principals and assignments",
      tag: TAG,
      response: { status: 204, description: "Deleted" },
      handle: async (context) => {
        const found = await find(context);
        builtIn.assertDeletableTenant(found.id);
        await registry.deleteTenant(found.id);
        return noContent();
      },
    }),
  ];
}

/** Graph's `organization`: the tenant the route is scoped to, as a one-element collection. */
export function organizationOperations(): Operation[] {
  return [
    operation({
      method: "GET",
      path: "/organization",
      summary: "The tenant of this route",
      tag: TAG,
      query: ["$select"],
      response: { status: 200, description: "The tenant", schema: tenant, shape: "collection" },
      handle: async (context) => {
        const view = tenantView(await context.tenant());
        return ok(
          collection(context.request, [view], {
            ...TENANTS,
            set: "organization",
            type: "microsoft.graph.organization",
          }),
        );
      },
    }),
  ];
}
