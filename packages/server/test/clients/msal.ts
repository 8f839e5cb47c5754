// Gets a token with @azure/msal-node as an application would, and prints the outcome as JSON.
import { ConfidentialClientApplication, type Configuration } from "@azure/msal-node";

interface Input {
  authority: string;
  clientId: string;
  clientSecret?: string;
  certificate?: { thumbprintSha256: string; privateKey: string; x5c?: string };
  scopes: string[];
  knownAuthorities: string[];
  /** Acquire twice and report whether the second came from MSAL's cache. */
  twice?: boolean;
}

const input = JSON.parse(process.argv[2] as string) as Input;
const config: Configuration = {
  auth: {
    clientId: input.clientId,
    authority: input.authority,
    knownAuthorities: input.knownAuthorities,
    ...(input.clientSecret ? { clientSecret: input.clientSecret } : {}),
    ...(input.certificate ? { clientCertificate: input.certificate } : {}),
  },
};
try {
  const app = new ConfidentialClientApplication(config);
  const first = await app.acquireTokenByClientCredential({ scopes: input.scopes });
  const second = input.twice ? await app.acquireTokenByClientCredential({ scopes: input.scopes }) : undefined;
  console.log(
    JSON.stringify({
      ok: true,
      accessToken: first?.accessToken,
      expiresOn: first?.expiresOn,
      secondFromCache: second ? second.fromCache : undefined,
      sameToken: second ? second.accessToken === first?.accessToken : undefined,
    }),
  );
} catch (error) {
  const e = error as { errorCode?: string; errorNo?: string; status?: number; message: string; correlationId?: string };
  console.log(
    JSON.stringify({ ok: false, errorCode: e.errorCode, errorNo: e.errorNo, status: e.status, message: e.message }),
  );
}
