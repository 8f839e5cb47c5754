import { createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import { decodeJwt, SignJWT, type JWTPayload } from "jose";
import { Agent, fetch as undiciFetch } from "undici";
import { EXAMPLE, startTestGatehouse, type TestGatehouse } from "../../../server/test/helpers/gatehouse.js";
import { runClient } from "../../../server/test/helpers/run-client.js";
import type { FetchLike } from "../../src/index.js";

/** The pattern: API2 calls API1 (v2 tokens) and a legacy API (v1 tokens); a caller nobody granted a role. */
export const APPS = {
  tenantId: EXAMPLE.tenantId,
  otherTenantId: "9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a",
  api1: "a1a1a1a1-1111-4111-8111-111111111111",
  legacyApi: "b2b2b2b2-2222-4222-8222-222222222222",
  api2: "c3c3c3c3-3333-4333-8333-333333333333",
  noRoleClient: "d4d4d4d4-4444-4444-8444-444444444444",
  secret: EXAMPLE.secret,
  role: "access_as_application_API1",
};

export const MIDDLEWARE_CONFIG = `identity:
  tenants:
    - id: ${APPS.tenantId}
      displayName: Contoso
      domains: [contoso.example]
      applications:
        - displayName: Records API (API1)
          appId: ${APPS.api1}
          identifierUris: ["api://${APPS.api1}"]
          api: { requestedAccessTokenVersion: 2 }
          appRoles:
            - { value: ${APPS.role}, displayName: Call API1, allowedMemberTypes: [Application] }
        - displayName: Legacy API (v1 tokens)
          appId: ${APPS.legacyApi}
          identifierUris: ["api://${APPS.legacyApi}"]
          api: { requestedAccessTokenVersion: 1 }
          appRoles:
            - { value: ${APPS.role}, displayName: Call the legacy API, allowedMemberTypes: [Application] }
        - displayName: API2
          appId: ${APPS.api2}
          passwordCredentials:
            - { displayName: dev, secretText: "\${CLIENT_APP_SECRET}", endDateTime: "2030-01-01T00:00:00Z" }
          requiredResourceAccess:
            - resourceAppId: ${APPS.api1}
              resourceAccess: [{ type: Role, value: ${APPS.role} }]
            - resourceAppId: ${APPS.legacyApi}
              resourceAccess: [{ type: Role, value: ${APPS.role} }]
          grantAdminConsent: true
        - displayName: Caller without roles
          appId: ${APPS.noRoleClient}
          passwordCredentials:
            - { displayName: dev, secretText: "\${CLIENT_APP_SECRET}", endDateTime: "2030-01-01T00:00:00Z" }
    - id: ${APPS.otherTenantId}
      displayName: Fabrikam
      applications:
        - displayName: Fabrikam caller
          appId: e5e5e5e5-5555-4555-8555-555555555555
`;

export interface MiddlewareGatehouse {
  gh: TestGatehouse;
  /** The tenant authority, as MSAL takes it. */
  authority: string;
  /** undici's fetch trusting the Gatehouse test CA: the validator's `fetch` option. */
  fetch: FetchLike;
  /** A token from @azure/msal-node in its own process (NODE_EXTRA_CA_CERTS), as API2 would get it. */
  msalToken(clientId: string, scope: string): Promise<string>;
  /** A token straight from the token endpoint. */
  formToken(clientId: string, scope: string): Promise<string>;
  /** Rotates the signing key at once through the admin API (as `gatehouse keys rotate --now`); returns the new kid. */
  rotateKeys(): Promise<string>;
  /** A token with these claims, signed with Gatehouse's current signing key (for cases Gatehouse never issues). */
  sign(claims: JWTPayload): Promise<string>;
  stop(): Promise<void>;
}

export async function startMiddlewareGatehouse(): Promise<MiddlewareGatehouse> {
  const gh = await startTestGatehouse({ config: MIDDLEWARE_CONFIG });
  const ca = await readFile(gh.caPath as string, "utf8");
  const agent = new Agent({ connect: { ca: [...rootCertificates, ca] } });
  const authority = `${gh.identityUrl}/${APPS.tenantId}`;
  return {
    gh,
    authority,
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: agent }),
    async msalToken(clientId, scope) {
      const result = await runClient<{ ok: boolean; accessToken?: string; message?: string }>(
        "msal",
        {
          authority,
          clientId,
          clientSecret: APPS.secret,
          scopes: [scope],
          knownAuthorities: [new URL(gh.identityUrl).host],
        },
        gh.caPath,
      );
      if (!result.ok || !result.accessToken) throw new Error(`MSAL got no token: ${result.message}`);
      return result.accessToken;
    },
    async formToken(clientId, scope) {
      const res = await gh.postForm(gh.tokenUrl(), {
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: APPS.secret,
        scope,
      });
      const token = (res.body as { access_token?: string }).access_token;
      if (!token) throw new Error(`no token: ${JSON.stringify(res.body)}`);
      return token;
    },
    async rotateKeys() {
      const res = await undiciFetch(`${gh.adminUrl}/gatehouse/keys/rotate`, {
        method: "POST",
        headers: { authorization: `Bearer ${await gh.adminToken()}`, "content-type": "application/json" },
        // An immediate rotation: the case where validators must refetch for a kid they have not seen.
        body: JSON.stringify({ leadTimeSeconds: 0 }),
        dispatcher: agent,
      });
      const body = (await res.json()) as { kid?: string };
      if (res.status !== 200 || !body.kid) throw new Error(`rotation failed: ${res.status} ${JSON.stringify(body)}`);
      return body.kid;
    },
    sign(claims) {
      const { kid, privateKeyPem } = gh.runtime.snapshot().keyRing.current();
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, x5t: kid })
        .sign(createPrivateKey(privateKeyPem));
    },
    async stop() {
      await agent.close();
      await gh.stop();
    },
  };
}

/** The claims of `token`, with some replaced (or removed with `undefined`), ready to be signed again. */
export function changedClaims(token: string, changes: Record<string, unknown>): JWTPayload {
  const claims: Record<string, unknown> = { ...decodeJwt(token), ...changes };
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}
