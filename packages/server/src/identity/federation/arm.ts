/**
 * Federated identity credentials of user-assigned identities in Azure Resource Manager's shape:
 * `Microsoft.ManagedIdentity/userAssignedIdentities/{name}/federatedIdentityCredentials/{name}` (PUT, GET, DELETE,
 * list), `properties: { issuer, subject, audiences }`, as `az identity federated-credential` and Bicep write them.
 */
import { z } from "zod";
import { API_VERSION, LIST_PARAMETERS, armPage } from "../../admin/apim/arm.js";
import { armErrors } from "../../admin/apim/errors.js";
import { contract } from "../../admin/apim/schemas.js";
import { noContent, ok, operation, type Operation, type RequestContext } from "../../admin/operations.js";
import type { ManagedIdentity } from "../managed-identities/model.js";
import { userAssignedResourceId } from "../managed-identities/model.js";
import type { FederatedCredentialOwner, StoredFederatedCredential } from "../model.js";
import { TOKEN_EXCHANGE_AUDIENCE } from "./credential-rules.js";
import type { Registry } from "../registry.js";

const TAG = "managedIdentities";
const TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
/** Under the resource-group prefix the managed-identity mounts give (managed-identities/arm.ts). */
const COLLECTION = "/userAssignedIdentities/{resourceName}/federatedIdentityCredentials";
const ITEM = `${COLLECTION}/{credentialName}`;

const properties = z.object({ issuer: z.string(), subject: z.string(), audiences: z.array(z.string()) });
const credentialPut = contract(
  "FederatedIdentityCredentialPut",
  z.object({ properties: properties.partial({ audiences: true }) }),
);
const credentialResource = contract(
  "FederatedIdentityCredential",
  z.object({ id: z.string(), name: z.string(), type: z.literal(TYPE), properties }),
);

const ownerOf = (identity: ManagedIdentity): FederatedCredentialOwner => ({
  kind: "identity",
  id: identity.principalId,
});

function view(identity: ManagedIdentity, credential: StoredFederatedCredential) {
  return {
    id: `${identity.resourceId}/federatedIdentityCredentials/${credential.name}`,
    name: credential.name,
    type: TYPE,
    properties: { issuer: credential.issuer, subject: credential.subject, audiences: [...credential.audiences] },
  } as const;
}

export function identityFederatedCredentialOperations(registry: Registry): Operation[] {
  const identityOf = async (context: RequestContext): Promise<ManagedIdentity> => {
    const resourceId = userAssignedResourceId(
      context.param("subscriptionId"),
      context.param("resourceGroupName"),
      context.param("resourceName"),
    );
    const identity = await registry.managedIdentities.find(resourceId);
    if (identity?.kind !== "UserAssigned") throw armErrors.notFound("User-assigned identity");
    return identity;
  };
  const credentialsOf = (identity: ManagedIdentity) =>
    registry.read((repos) => repos.federatedCredentials.list(ownerOf(identity)));
  const named = async (context: RequestContext, identity: ManagedIdentity) => {
    const name = context.param("credentialName").toLowerCase();
    return (await credentialsOf(identity)).find((c) => c.name.toLowerCase() === name);
  };

  return [
    operation({
      method: "GET",
      path: COLLECTION,
      summary: "List the federated identity credentials of a user-assigned identity",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: {
        status: 200,
        description: "The credentials",
        schema: contract(
          "FederatedIdentityCredentialList",
          z.object({ value: z.array(credentialResource), count: z.number().int(), nextLink: z.string().nullable() }),
        ),
      },
      handle: async (context) => {
        const identity = await identityOf(context);
        const items = (await credentialsOf(identity)).map((c) => view(identity, c));
        return ok(armPage(context, items as never, ["name"]));
      },
    }),
    operation({
      method: "GET",
      path: ITEM,
      summary: "Read a federated identity credential of a user-assigned identity",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The credential", schema: credentialResource },
      handle: async (context) => {
        const identity = await identityOf(context);
        const credential = await named(context, identity);
        if (!credential) throw armErrors.notFound("Federated identity credential");
        return ok(view(identity, credential));
      },
    }),
    operation({
      method: "PUT",
      path: ITEM,
      summary: "Create or replace a federated identity credential; its tokens then get the identity's tokens",
      tag: TAG,
      parameters: [API_VERSION],
      body: credentialPut,
      response: { status: 200, description: "Replaced (201 when created)", schema: credentialResource },
      handle: async (context) => {
        const identity = await identityOf(context);
        const existing = await named(context, identity);
        // PUT replaces: audiences left out go back to the default, as on create.
        const fields = {
          ...context.body.properties,
          audiences: context.body.properties.audiences ?? [TOKEN_EXCHANGE_AUDIENCE],
        };
        if (existing) {
          const updated = await registry.federatedCredentials.update(ownerOf(identity), existing.id, fields);
          return ok(view(identity, updated));
        }
        const name = context.param("credentialName");
        const created = await registry.federatedCredentials.add(ownerOf(identity), { name, ...fields });
        return { status: 201, body: view(identity, created) };
      },
    }),
    operation({
      method: "DELETE",
      path: ITEM,
      summary: "Delete a federated identity credential of a user-assigned identity",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Deleted (204 when it did not exist)" },
      handle: async (context) => {
        const identity = await identityOf(context);
        const existing = await named(context, identity);
        if (!existing) return noContent();
        await registry.federatedCredentials.remove(ownerOf(identity), existing.id);
        return { status: 200 };
      },
    }),
  ];
}
