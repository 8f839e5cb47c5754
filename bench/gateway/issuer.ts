import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";

export interface IssuerServer {
  /** The issuer identifier, which is also this server's origin. */
  issuer: string;
  openIdConfigUrl: string;
  /** Serve this key from now on (it is known only once the issuer URL is, since tokens carry the issuer). */
  publish(jwk: JWK): void;
  close(): Promise<void>;
}

/**
 * A minimal OpenID provider metadata endpoint and JWKS on 127.0.0.1: what `validate-jwt` with `<openid-config>`
 * fetches. Gatehouse reads them once and caches them, so this server is idle while load runs.
 */
export async function startIssuer(): Promise<IssuerServer> {
  let keys: JWK[] = [];
  let issuer = "";
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const document =
      path === "/.well-known/openid-configuration"
        ? {
            issuer,
            jwks_uri: `${issuer}/discovery/keys`,
            id_token_signing_alg_values_supported: ["RS256"],
            response_types_supported: ["code"],
            subject_types_supported: ["public"],
          }
        : path === "/discovery/keys"
          ? { keys }
          : undefined;
    res.writeHead(document ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(document ?? { error: "not_found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    openIdConfigUrl: `${issuer}/.well-known/openid-configuration`,
    publish(jwk) {
      keys = [jwk];
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
