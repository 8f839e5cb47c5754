// Gets a token with @azure/identity's credentials as an Azure SDK client would, and prints the outcome as JSON.
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";

interface Input {
  kind: "secret" | "certificate";
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificatePath?: string;
  authorityHost: string;
  scope: string;
}

const input = JSON.parse(process.argv[2] as string) as Input;
const options = { authorityHost: input.authorityHost, disableInstanceDiscovery: true };
try {
  const credential: TokenCredential =
    input.kind === "secret"
      ? new ClientSecretCredential(input.tenantId, input.clientId, input.clientSecret as string, options)
      : new ClientCertificateCredential(
          input.tenantId,
          input.clientId,
          { certificatePath: input.certificatePath as string },
          options,
        );
  const token = await credential.getToken(input.scope);
  console.log(JSON.stringify({ ok: true, accessToken: token?.token, expiresOnTimestamp: token?.expiresOnTimestamp }));
} catch (error) {
  const e = error as Error;
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message }));
}
