// Gets a token with openid-client (discovery + client credentials grant) and prints the outcome as JSON.
import * as client from "openid-client";

interface Input {
  issuer: string;
  clientId: string;
  clientSecret: string;
  method: "basic" | "post";
  scope: string;
}

const input = JSON.parse(process.argv[2] as string) as Input;
try {
  const auth =
    input.method === "basic"
      ? client.ClientSecretBasic(input.clientSecret)
      : client.ClientSecretPost(input.clientSecret);
  const config = await client.discovery(new URL(input.issuer), input.clientId, input.clientSecret, auth);
  const tokens = await client.clientCredentialsGrant(config, { scope: input.scope });
  console.log(
    JSON.stringify({
      ok: true,
      accessToken: tokens.access_token,
      tokenType: tokens.token_type,
      expiresIn: tokens.expires_in,
    }),
  );
} catch (error) {
  const e = error as Error & { error?: string; code?: string };
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message, error: e.error, code: e.code }));
}
