import type { FederatedCredentialOwner, StoredFederatedCredential } from "../../identity/model.js";
import type { Registry } from "../../identity/registry.js";
import type { StoredApplication } from "../../store/repositories/applications.js";
import type { BuiltInObjects } from "../built-in.js";
import { graphErrors } from "../graph-errors.js";
import { collection, entity, parseSelect } from "../odata.js";
import { created, noContent, ok, operation, type Operation, type RequestContext } from "../operations.js";
import {
  federatedIdentityCredential,
  federatedIdentityCredentialCreate,
  federatedIdentityCredentialUpdate,
} from "../schemas.js";
import { federatedCredentialView } from "../views.js";
import { applicationFinder } from "./applications.js";

const COLLECTION = "/applications/{id}/federatedIdentityCredentials";
const ITEM = `${COLLECTION}/{credential}`;
const PROPERTIES = Object.keys(federatedIdentityCredential.shape);
const TYPE = "microsoft.graph.federatedIdentityCredential";
const TAG = "applications";

const ownerOf = (app: StoredApplication): FederatedCredentialOwner => ({ kind: "application", id: app.id });
const setOf = (app: StoredApplication) => `applications('${app.id}')/federatedIdentityCredentials`;

/**
 * Graph's federatedIdentityCredentials of an application (workload identity federation). A credential is addressed by
 * its id or by its name, Graph's alternate key.
 */
export function federatedCredentialOperations(registry: Registry, builtIn: BuiltInObjects): Operation[] {
  const apps = applicationFinder(registry, builtIn);
  const credentialOf = async (context: RequestContext, app: StoredApplication): Promise<StoredFederatedCredential> => {
    const key = context.param("credential");
    const credentials = await registry.read((repos) => repos.federatedCredentials.list(ownerOf(app)));
    const found =
      credentials.find((c) => c.id === key.toLowerCase()) ??
      credentials.find((c) => c.name.toLowerCase() === key.toLowerCase());
    if (!found) throw graphErrors.notFound(key);
    return found;
  };

  return [
    operation({
      method: "GET",
      path: COLLECTION,
      alternateKey: "appId",
      summary: "List the application's federated identity credentials",
      tag: TAG,
      query: ["$filter", "$top", "$select", "$skiptoken"],
      response: {
        status: 200,
        description: "The federated identity credentials",
        schema: federatedIdentityCredential,
        shape: "collection",
      },
      handle: async (context) => {
        const app = await apps.find(context);
        const credentials = await registry.read((repos) => repos.federatedCredentials.list(ownerOf(app)));
        return ok(
          collection(context.request, credentials.map(federatedCredentialView), {
            set: setOf(app),
            type: TYPE,
            properties: PROPERTIES,
            filterable: ["name", "subject", "issuer"],
          }),
        );
      },
    }),
    operation({
      method: "POST",
      path: COLLECTION,
      alternateKey: "appId",
      summary: "Trust an external workload: tokens of `issuer` for `subject` and `audiences` replace a secret",
      tag: TAG,
      body: federatedIdentityCredentialCreate,
      response: {
        status: 201,
        description: "The new federated identity credential",
        schema: federatedIdentityCredential,
        shape: "entity",
      },
      handle: async (context) => {
        const app = await apps.findWritable(context);
        const credential = await registry.federatedCredentials.add(ownerOf(app), context.body);
        return created(entity(setOf(app), federatedCredentialView(credential)));
      },
    }),
    operation({
      method: "GET",
      path: ITEM,
      alternateKey: "appId",
      summary: "Read a federated identity credential by id or name",
      tag: TAG,
      query: ["$select"],
      response: {
        status: 200,
        description: "The federated identity credential",
        schema: federatedIdentityCredential,
        shape: "entity",
      },
      handle: async (context) => {
        const select = parseSelect(context.query, PROPERTIES, TYPE);
        const app = await apps.find(context);
        return ok(entity(setOf(app), federatedCredentialView(await credentialOf(context, app)), select));
      },
    }),
    operation({
      method: "PATCH",
      path: ITEM,
      alternateKey: "appId",
      summary: "Update a federated identity credential's issuer, subject, audiences or description",
      tag: TAG,
      body: federatedIdentityCredentialUpdate,
      response: { status: 204, description: "Updated" },
      handle: async (context) => {
        const app = await apps.findWritable(context);
        const current = await credentialOf(context, app);
        const { name, ...fields } = context.body;
        if (name !== undefined && name !== current.name) {
          throw graphErrors.badRequest("The name of a federated identity credential cannot be changed.");
        }
        await registry.federatedCredentials.update(ownerOf(app), current.id, fields);
        return noContent();
      },
    }),
    operation({
      method: "DELETE",
      path: ITEM,
      alternateKey: "appId",
      summary: "Delete a federated identity credential",
      tag: TAG,
      response: { status: 204, description: "Deleted" },
      handle: async (context) => {
        const app = await apps.findWritable(context);
        await registry.federatedCredentials.remove(ownerOf(app), (await credentialOf(context, app)).id);
        return noContent();
      },
    }),
  ];
}
