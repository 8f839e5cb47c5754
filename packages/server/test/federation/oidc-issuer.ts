import { randomUUID } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

interface SigningKey {
  privateKey: PrivateKey;
  jwk: JWK;
}

/** An OpenID issuer of its own (a Kubernetes API server, a CI system …): discovery and JWKS over HTTPS, and tokens. */
export interface TestIssuer {
  /** The issuer identifier, `https://localhost:<port>/<name>`. */
  url: string;
  /** Paths requested so far, to see what the identity service fetched. */
  requests: string[];
  /** Generates a key under `kid`; published in the JWKS unless `publish` is false. */
  addKey(kid: string, publish?: boolean): Promise<void>;
  /** A token with `claims` (iss defaults to the issuer, exp to 10 minutes), signed by `signWith` named as `kid`. */
  sign(claims: JWTPayload, options?: { kid?: string; signWith?: string }): Promise<string>;
  close(): Promise<void>;
}

/** Serves `/<name>/.well-known/openid-configuration` and `/<name>/keys` with the given TLS leaf. */
export async function startOidcIssuer(tls: { cert: string; key: string }, name = "issuer"): Promise<TestIssuer> {
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  const requests: string[] = [];
  let url = "";
  const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    const path = request.url ?? "/";
    requests.push(path);
    const send = (status: number, body: unknown) =>
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (path === `/${name}/.well-known/openid-configuration`) {
      return send(200, { issuer: url, jwks_uri: `${url}/keys`, id_token_signing_alg_values_supported: ["RS256"] });
    }
    if (path === `/${name}/keys`) {
      return send(200, {
        keys: [...published].map((kid) => ({ ...keys.get(kid)?.jwk, kid, use: "sig", alg: "RS256" })),
      });
    }
    return send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}/${name}`;

  const addKey = async (kid: string, publish = true) => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    keys.set(kid, { privateKey, jwk: await exportJWK(publicKey) });
    if (publish) published.add(kid);
  };
  return {
    url,
    requests,
    addKey,
    async sign(claims, options = {}) {
      const kid = options.kid ?? "k1";
      const key = keys.get(options.signWith ?? kid);
      if (!key) throw new Error(`no key ${options.signWith ?? kid}`);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: url, iat: now, nbf: now, exp: now + 600, jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
