import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { assertJwtTokenResponse, postForm } from "./http-form.js";

export interface TokenTarget {
  tokenUrl: string;
  form: Record<string, string>;
  close(): Promise<void>;
}

const RESOURCE = "api://bench-resource";
const SCOPE = "api.read";

/**
 * Starts panva's oidc-provider (the peer) on 127.0.0.1, a random port, plain HTTP: one confidential client using the
 * client-credentials grant with client_secret_post, issuing RS256 JWT access tokens for a single resource server.
 * Verifies one token request before returning so a misconfiguration never turns into a benchmark of error responses.
 */
export async function startPeer(): Promise<TokenTarget> {
  const { Provider } = await quietly(() => import("oidc-provider"));

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "bench-rs256" };
  const clientId = "bench-client";
  const clientSecret = randomBytes(24).toString("base64url");

  // Listen first: the issuer must contain the port, which is only known once bound.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = await quietly(async () => {
    const p = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          grant_types: ["client_credentials"],
          token_endpoint_auth_method: "client_secret_post",
          response_types: [],
          redirect_uris: [],
        },
      ],
      jwks: { keys: [signingJwk] },
      // Fixed cookie keys only to suppress the "development-only keys" notice; no cookies are used by this grant.
      cookies: { keys: [randomBytes(32).toString("base64url")] },
      ttl: { ClientCredentials: 3600 },
      features: {
        clientCredentials: { enabled: true },
        devInteractions: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          getResourceServerInfo: () => ({
            scope: SCOPE,
            audience: RESOURCE,
            accessTokenTTL: 3600,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          }),
          useGrantedResource: () => true,
        },
      },
    });
    p.silent = true;
    return p;
  });

  let firstServerError: Error | undefined;
  provider.on("server_error", (_ctx, err) => {
    firstServerError ??= err;
  });
  server.on("request", provider.callback());

  const tokenUrl = `${issuer}/token`;
  const form = { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope: SCOPE };
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  try {
    const res = await quietly(() => postForm(tokenUrl, form));
    const check = assertJwtTokenResponse("peer (oidc-provider)", res);
    if (check.alg !== "RS256") throw new Error(`peer issued a ${check.alg} token, expected RS256`);
  } catch (err) {
    await close();
    if (!firstServerError) throw err;
    throw new Error(`${(err as Error).message}; server_error: ${firstServerError.message}`, { cause: err });
  }
  return { tokenUrl, form, close };
}

/**
 * oidc-provider prints "oidc-provider NOTICE/WARNING" lines through console.info/warn (e.g. the unsupported-runtime
 * warning on Node 20, which is harmless here). Drop only those, only while `fn` runs, so the table stays readable.
 */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { info, warn } = console;
  const filter =
    (orig: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      if (typeof args[0] === "string" && args[0].includes("oidc-provider ")) return;
      orig(...args);
    };
  console.info = filter(info);
  console.warn = filter(warn);
  try {
    return await fn();
  } finally {
    console.info = info;
    console.warn = warn;
  }
}
