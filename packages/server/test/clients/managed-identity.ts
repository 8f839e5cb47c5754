// Gets a managed-identity token as code running in Azure would: the endpoint comes only from environment variables
// (IDENTITY_ENDPOINT + IDENTITY_HEADER, or AZURE_POD_IDENTITY_AUTHORITY_HOST), and prints the outcome as JSON.
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { ManagedIdentityApplication } from "@azure/msal-node";

interface Input {
  /** `identity`: @azure/identity's ManagedIdentityCredential; `default`: DefaultAzureCredential; `msal`: MSAL Node. */
  sdk: "identity" | "default" | "msal";
  /** A user-assigned identity, by one of its ids; absent: the system-assigned identity. */
  clientId?: string;
  resourceId?: string;
  objectId?: string;
  /** An App ID URI; the SDKs of @azure/identity take it as a scope (`/.default`), MSAL as a resource. */
  resource: string;
}

const input = JSON.parse(process.argv[2] as string) as Input;

async function identitySdk(credential: TokenCredential) {
  const token = await credential.getToken(`${input.resource}/.default`);
  return { accessToken: token?.token, expiresOnTimestamp: token?.expiresOnTimestamp };
}

function managedIdentityCredential(): ManagedIdentityCredential {
  if (input.clientId) return new ManagedIdentityCredential({ clientId: input.clientId });
  if (input.resourceId) return new ManagedIdentityCredential({ resourceId: input.resourceId });
  if (input.objectId) return new ManagedIdentityCredential({ objectId: input.objectId });
  return new ManagedIdentityCredential();
}

async function msal() {
  const app = new ManagedIdentityApplication({
    managedIdentityIdParams: {
      ...(input.clientId ? { userAssignedClientId: input.clientId } : {}),
      ...(input.resourceId ? { userAssignedResourceId: input.resourceId } : {}),
      ...(input.objectId ? { userAssignedObjectId: input.objectId } : {}),
    },
  });
  const result = await app.acquireToken({ resource: input.resource });
  return { accessToken: result.accessToken, expiresOnTimestamp: result.expiresOn?.getTime() };
}

try {
  const outcome =
    input.sdk === "msal"
      ? await msal()
      : await identitySdk(input.sdk === "default" ? new DefaultAzureCredential() : managedIdentityCredential());
  console.log(JSON.stringify({ ok: true, ...outcome }));
} catch (error) {
  const e = error as Error;
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message }));
}
