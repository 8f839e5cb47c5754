import { emptyApplicationDocument, type ApiApplication } from "../../identity/model.js";
import type { ApplicationPatch, Registry } from "../../identity/registry.js";
import type { StoredApplication } from "../../store/repositories/applications.js";
import type { BuiltInObjects } from "../built-in.js";
import { graphErrors } from "../graph-errors.js";
import { entityKey } from "../identifiers.js";
import { applyKeyCredentials, planKeyCredentials } from "../key-credential-plan.js";
import { collection, entity, GRAPH_METADATA, parseSelect } from "../odata.js";
import { created, noContent, ok, operation, type Operation, type RequestContext } from "../operations.js";
import {
  addPasswordRequest,
  addPasswordResult,
  application,
  applicationCreate,
  applicationUpdate,
  removePasswordRequest,
  type ApplicationUpdate,
} from "../schemas.js";
import { applicationView } from "../views.js";

const APPLICATIONS = {
  set: "applications",
  type: "microsoft.graph.application",
  properties: Object.keys(application.shape),
  filterable: ["appId", "displayName"],
} as const;
const TAG = "applications";

type DocumentFields = Omit<ApplicationUpdate, "keyCredentials">;

/**
 * The body's document properties as a registry patch. `api` is merged into the current value (PATCH with only
 * `api.requestedAccessTokenVersion` keeps the scopes), and the manifest alias `accessTokenAcceptedVersion` maps to it.
 */
function documentChanges(fields: DocumentFields, currentApi: ApiApplication): ApplicationPatch {
  const { api, accessTokenAcceptedVersion: alias, ...rest } = fields;
  const requested = api?.requestedAccessTokenVersion;
  if (alias !== undefined && requested !== undefined && alias !== requested) {
    throw graphErrors.badRequest("accessTokenAcceptedVersion and api.requestedAccessTokenVersion disagree.");
  }
  const version = requested !== undefined ? requested : alias;
  if (api === undefined && version === undefined) return rest;
  return {
    ...rest,
    api: { ...currentApi, ...api, ...(version !== undefined ? { requestedAccessTokenVersion: version } : {}) },
  };
}

/** The application a route names by `{id}` or `(appId='…')` in the route's tenant; `findWritable` refuses built-ins. */
export function applicationFinder(registry: Registry, builtIn: BuiltInObjects) {
  const find = async (context: RequestContext): Promise<StoredApplication> => {
    const tenant = await context.tenant();
    const key = entityKey(context);
    const app = await registry.read((repos) =>
      key.property === "id" ? repos.applications.get(key.value) : repos.applications.getByAppId(key.value),
    );
    if (!app || app.tenantId !== tenant.id) throw graphErrors.notFound(key.value);
    return app;
  };
  const findWritable = async (context: RequestContext) => {
    const app = await find(context);
    builtIn.assertWritableApplication(app);
    return app;
  };
  return { find, findWritable };
}

/** Graph's applications: registration, certificates (PATCH keyCredentials) and secrets (addPassword/removePassword). */
export function applicationOperations(registry: Registry, builtIn: BuiltInObjects): Operation[] {
  const { find, findWritable } = applicationFinder(registry, builtIn);
  const reread = async (id: string) => {
    const app = await registry.read((repos) => repos.applications.get(id));
    if (!app) throw graphErrors.notFound(id);
    return app;
  };

  return [
    operation({
      method: "GET",
      path: "/applications",
      summary: "List the applications registered in the tenant",
      tag: TAG,
      query: ["$filter", "$top", "$select", "$skiptoken"],
      response: { status: 200, description: "The applications", schema: application, shape: "collection" },
      handle: async (context) => {
        const tenant = await context.tenant();
        const apps = await registry.read((repos) => repos.applications.list(tenant.id));
        const views = apps.map((app) => applicationView(app, { includeKeys: false }));
        return ok(collection(context.request, views, APPLICATIONS));
      },
    }),
    operation({
      method: "POST",
      path: "/applications",
      summary: "Register an application (passwordCredentials are ignored: use addPassword)",
      tag: TAG,
      body: applicationCreate,
      response: { status: 201, description: "The new application", schema: application, shape: "entity" },
      handle: async (context) => {
        const tenant = await context.tenant();
        const { keyCredentials = [], passwordCredentials: _ignored, displayName, ...fields } = context.body;
        const plan = planKeyCredentials([], keyCredentials);
        const changes = documentChanges(fields, emptyApplicationDocument().api);
        const app = await registry.createApplication(tenant.id, { ...changes, displayName });
        try {
          await applyKeyCredentials(registry, app.id, plan);
        } catch (error) {
          // Certificates were checked beforehand, so this is rare; do not leave a half-created application behind.
          await registry.deleteApplication(app.id).catch(() => undefined);
          throw error;
        }
        return created(entity(APPLICATIONS.set, applicationView(await reread(app.id), { includeKeys: false })));
      },
    }),
    operation({
      method: "GET",
      path: "/applications/{id}",
      alternateKey: "appId",
      summary: "Read an application; `$select=keyCredentials` includes the certificates",
      tag: TAG,
      query: ["$select"],
      response: { status: 200, description: "The application", schema: application, shape: "entity" },
      handle: async (context) => {
        const select = parseSelect(context.query, APPLICATIONS.properties, APPLICATIONS.type);
        const view = applicationView(await find(context), { includeKeys: select?.includes("keyCredentials") ?? false });
        return ok(entity(APPLICATIONS.set, view, select));
      },
    }),
    operation({
      method: "PATCH",
      path: "/applications/{id}",
      alternateKey: "appId",
      summary: "Update an application; keyCredentials is the new certificate collection",
      tag: TAG,
      body: applicationUpdate,
      response: { status: 204, description: "Updated" },
      handle: async (context) => {
        const app = await findWritable(context);
        const { keyCredentials, ...fields } = context.body;
        const plan = keyCredentials && planKeyCredentials(app.keyCredentials, keyCredentials);
        const changes = documentChanges(fields, app.api);
        if (Object.keys(changes).length > 0) await registry.updateApplication(app.id, changes);
        if (plan) await applyKeyCredentials(registry, app.id, plan);
        return noContent();
      },
    }),
    operation({
      method: "DELETE",
      path: "/applications/{id}",
      alternateKey: "appId",
      summary: "Delete an application and its service principals",
      tag: TAG,
      response: { status: 204, description: "Deleted" },
      handle: async (context) => {
        await registry.deleteApplication((await findWritable(context)).id);
        return noContent();
      },
    }),
    operation({
      method: "POST",
      path: "/applications/{id}/addPassword",
      alternateKey: "appId",
      summary: "Add a client secret; the only response that ever contains the secret",
      tag: TAG,
      body: addPasswordRequest,
      response: { status: 200, description: "The new secret, shown once", schema: addPasswordResult, shape: "entity" },
      handle: async (context) => {
        const app = await findWritable(context);
        const input = context.body.passwordCredential ?? {};
        const { credential, secretText } = await registry.addPassword(app.id, {
          displayName: input.displayName,
          startDateTime: input.startDateTime,
          endDateTime: input.endDateTime,
        });
        const body = {
          "@odata.context": `${GRAPH_METADATA}#microsoft.graph.passwordCredential`,
          customKeyIdentifier: null,
          displayName: credential.displayName,
          endDateTime: credential.endDateTime,
          hint: credential.hint,
          keyId: credential.keyId,
          secretText,
          startDateTime: credential.startDateTime,
        };
        return ok(body, { "cache-control": "no-store" });
      },
    }),
    operation({
      method: "POST",
      path: "/applications/{id}/removePassword",
      alternateKey: "appId",
      summary: "Remove a client secret",
      tag: TAG,
      body: removePasswordRequest,
      response: { status: 204, description: "Removed" },
      handle: async (context) => {
        const app = await findWritable(context);
        await registry.removePassword(app.id, context.body.keyId.toLowerCase());
        return noContent();
      },
    }),
  ];
}
