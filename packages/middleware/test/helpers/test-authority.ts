import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

export const TEST_TENANT = "0f1e2d3c-4b5a-4697-a8b9-cadbecfd0e1f";
export const TEST_AUDIENCE = "f0e1d2c3-b4a5-4968-a7b6-c5d4e3f2a1b0";

/**
 * A small real authority for what Gatehouse cannot be made to do: answer 503 on demand. It serves a v2 discovery
 * document and a key set over plain HTTP on 127.0.0.1, counts the requests of each path, and signs tokens.
 */
export interface TestAuthority {
  authority: string;
  /** Requests received, by path. */
  hits: Map<string, number>;
  /** While true, every request gets 503. */
  down: boolean;
  /** A v2 app-only token for TEST_AUDIENCE, with `claims` on top, signed with the published key (or `kid`'s). */
  sign(claims?: JWTPayload, kid?: string): Promise<string>;
  /** Adds a key to the key set and returns its kid. */
  addKey(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestAuthority(): Promise<TestAuthority> {
  const keys = new Map<string, { privateKey: CryptoKey; jwk: JWK }>();
  const hits = new Map<string, number>();
  const addKey = async () => {
    const kid = `key-${keys.size + 1}`;
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    keys.set(kid, { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: "sig", kty: "RSA" } });
    return kid;
  };
  await addKey();
  const state = { down: false };
  const server = createServer((req, res) => {
    const path = req.url ?? "";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (state.down) return json(503, { error: "temporarily_unavailable" });
    if (path === `/${TEST_TENANT}/v2.0/.well-known/openid-configuration`) {
      return json(200, { issuer: `${origin}/${TEST_TENANT}/v2.0`, jwks_uri: `${origin}/${TEST_TENANT}/keys` });
    }
    if (path === `/${TEST_TENANT}/keys`) return json(200, { keys: [...keys.values()].map((k) => k.jwk) });
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let serial = 0;
  return {
    authority: `${origin}/${TEST_TENANT}`,
    hits,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    sign(claims = {}, kid = "key-1") {
      const key = keys.get(kid);
      if (!key) throw new Error(`no key ${kid}`);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        aud: TEST_AUDIENCE,
        iss: `${origin}/${TEST_TENANT}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        azp: "11111111-2222-4333-8444-555555555555",
        roles: ["Things.Read"],
        tid: TEST_TENANT,
        uti: `t${++serial}`, // every token differs, so the validator's cache never answers for another one
        ver: "2.0",
        ...claims,
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
        .sign(key.privateKey);
    },
    addKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
