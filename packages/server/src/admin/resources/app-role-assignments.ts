import type { AppRoleAssignment, ServicePrincipal } from "../../identity/model.js";
import type { Registry } from "../../identity/registry.js";
import type { BuiltInObjects } from "../built-in.js";
import { graphErrors } from "../graph-errors.js";
import { objectId } from "../identifiers.js";
import { collection, entity } from "../odata.js";
import { created, noContent, ok, operation, type Operation } from "../operations.js";
import { appRoleAssignment, appRoleAssignmentCreate } from "../schemas.js";
import { appRoleAssignmentView } from "../views.js";
import { servicePrincipalFinder } from "./service-principals.js";

/**
 * Graph reaches the same assignments from both ends: `appRoleAssignedTo` on the resource's service principal (admin
 * consent of an application permission) and `appRoleAssignments` on the principal's.
 */
const SIDES = [
  { navigation: "appRoleAssignedTo", end: "resourceId", summary: "granted on this resource (admin consent)" },
  { navigation: "appRoleAssignments", end: "principalId", summary: "held by this service principal" },
] as const;

const PROPERTIES = Object.keys(appRoleAssignment.shape);
const TYPE = "microsoft.graph.appRoleAssignment";
const TAG = "servicePrincipals";

export function appRoleAssignmentOperations(registry: Registry, builtIn: BuiltInObjects): Operation[] {
  const find = servicePrincipalFinder(registry);
  /** Display names come from the service principals of the tenant, looked up once per response. */
  const views = async (tenantId: string, assignments: AppRoleAssignment[]) => {
    const sps = await registry.read((repos) => repos.servicePrincipals.list(tenantId));
    const byId = new Map<string, ServicePrincipal>(sps.map((sp) => [sp.id, sp]));
    return assignments.map((a) => appRoleAssignmentView(a, byId.get(a.principalId), byId.get(a.resourceId)));
  };

  return SIDES.flatMap(({ navigation, end, summary }): Operation[] => {
    const set = (sp: ServicePrincipal) => `servicePrincipals('${sp.id}')/${navigation}`;
    return [
      operation({
        method: "GET",
        path: `/servicePrincipals/{id}/${navigation}`,
        alternateKey: "appId",
        summary: `List the app role assignments ${summary}`,
        tag: TAG,
        query: ["$filter", "$top", "$select", "$skiptoken"],
        response: { status: 200, description: "The assignments", schema: appRoleAssignment, shape: "collection" },
        handle: async (context) => {
          const sp = await find(context);
          const assignments = await registry.read((repos) => repos.assignments.list({ [end]: sp.id }));
          const filterable = ["principalId", "resourceId", "appRoleId"];
          return ok(
            collection(context.request, await views(sp.tenantId, assignments), {
              set: set(sp),
              type: TYPE,
              properties: PROPERTIES,
              filterable,
            }),
          );
        },
      }),
      operation({
        method: "POST",
        path: `/servicePrincipals/{id}/${navigation}`,
        alternateKey: "appId",
        summary: `Assign an app role (${end} must be this service principal)`,
        tag: TAG,
        body: appRoleAssignmentCreate,
        response: { status: 201, description: "The new assignment", schema: appRoleAssignment, shape: "entity" },
        handle: async (context) => {
          const sp = await find(context);
          if (context.body[end].toLowerCase() !== sp.id) {
            throw graphErrors.badRequest(`${end} must be the id of the service principal in the request URL.`);
          }
          builtIn.assertGrantable(
            await registry.read((repos) => repos.servicePrincipals.get(context.body.resourceId.toLowerCase())),
          );
          const assignment = await registry.grantAppRole({
            principalId: context.body.principalId.toLowerCase(),
            resourceId: context.body.resourceId.toLowerCase(),
            appRoleId: context.body.appRoleId.toLowerCase(),
          });
          const [view] = await views(sp.tenantId, [assignment]);
          return created(entity(set(sp), view ?? {}));
        },
      }),
      operation({
        method: "DELETE",
        path: `/servicePrincipals/{id}/${navigation}/{assignmentId}`,
        alternateKey: "appId",
        summary: "Remove an app role assignment",
        tag: TAG,
        response: { status: 204, description: "Removed" },
        handle: async (context) => {
          const sp = await find(context);
          const id = objectId(context.param("assignmentId"));
          const assignment = await registry.read((repos) => repos.assignments.get(id));
          if (!assignment || assignment[end] !== sp.id) throw graphErrors.notFound(id);
          const [principal, resource] = await registry.read((repos) =>
            Promise.all([
              repos.servicePrincipals.get(assignment.principalId),
              repos.servicePrincipals.get(assignment.resourceId),
            ]),
          );
          builtIn.assertRevocableAssignment(principal, resource);
          await registry.revokeAppRole(assignment.id);
          return noContent();
        },
      }),
    ];
  });
}
