// Gets a token with @azure/identity's WorkloadIdentityCredential, configured only by AZURE_FEDERATED_TOKEN_FILE,
// AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_AUTHORITY_HOST, and prints the outcome as JSON.
import { WorkloadIdentityCredential } from "@azure/identity";

const scope = process.argv[2] as string;
try {
  // No environment variable turns instance discovery off; against a host other than Microsoft's it must be.
  const credential = new WorkloadIdentityCredential({ disableInstanceDiscovery: true });
  const token = await credential.getToken(scope);
  console.log(JSON.stringify({ ok: true, accessToken: token.token }));
} catch (error) {
  const e = error as Error;
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message }));
}
