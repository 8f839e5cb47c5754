import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { startGatehouse, type RunningGatehouse } from "../../src/server.js";
import { defaultServerOptions, type ServerOptions } from "../../src/config/options.js";
import { fetchJson, type JsonResponse } from "../../src/util/https-fetch.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { readAdminClient } from "../../src/admin/management.js";

/** The configuration of the example, verbatim. */
export const EXAMPLE_CONFIG = `identity:
  tenants:
    - id: 7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f
      displayName: Contoso
      domains: [contoso.example]
      applications:
        - displayName: ResourceApp
          appId: 5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f
          identifierUris: ["api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f"]
          api: { requestedAccessTokenVersion: 2 }
          appRoles:
            - { value: APIAccess, displayName: API access, allowedMemberTypes: [Application] }
        - displayName: ClientApp
          appId: 0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d
          passwordCredentials:
            - { displayName: dev, secretText: "\${CLIENT_APP_SECRET}", endDateTime: "2030-01-01T00:00:00Z" }
          requiredResourceAccess:
            - resourceAppId: 5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f
              resourceAccess: [{ type: Role, value: APIAccess }]
          grantAdminConsent: true
`;

export const EXAMPLE = {
  tenantId: "7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f",
  domain: "contoso.example",
  resourceAppId: "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f",
  clientAppId: "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
  secret: "dev-secret-Zx9-Qw_8~abcdefghijklmnop",
  scope: "api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f/.default",
};

/** The example client's token request, with any field replaced (or dropped with `undefined`). */
export function exampleTokenForm(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    grant_type: "client_credentials",
    client_id: EXAMPLE.clientAppId,
    client_secret: EXAMPLE.secret,
    scope: EXAMPLE.scope,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface TestGatehouse extends RunningGatehouse {
  tokenUrl(tenant?: string, version?: "v1" | "v2"): string;
  postForm(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<JsonResponse>;
  get(url: string): Promise<JsonResponse>;
  adminToken(): Promise<string>;
  /** Verifies a token with jose against the JWKS the server publishes. */
  verify(
    token: string,
    options: { issuer: string; audience: string },
  ): Promise<{ payload: JWTPayload; protectedHeader: ProtectedHeaderParameters }>;
  stop(): Promise<void>;
}

export interface TestOptions {
  config?: string;
  env?: Record<string, string>;
  dataDir?: string;
  keepData?: boolean;
  overrides?: Partial<ServerOptions>;
}

/** A real Gatehouse on loopback ports chosen by the OS, with its own data folder. */
export async function startTestGatehouse(options: TestOptions = {}): Promise<TestGatehouse> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "gatehouse-test-")));
  let configFile: string | undefined;
  if (options.config) {
    configFile = join(dataDir, "config.yaml");
    await writeFile(configFile, options.config);
  }
  const saved = { ...process.env };
  Object.assign(process.env, { CLIENT_APP_SECRET: EXAMPLE.secret, ...options.env });
  let running: RunningGatehouse;
  try {
    running = await startGatehouse({
      ...defaultServerOptions,
      dataDir,
      identityPort: 0,
      adminPort: 0,
      gatewayPort: 0,
      logLevel: "silent",
      pollIntervalMs: 200,
      ...(configFile ? { configFile } : {}),
      ...options.overrides,
    });
  } finally {
    process.env = saved;
  }
  const caPath = running.caPath;
  const postForm = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetchJson(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form).toString(),
      },
      caPath,
    );
  const get = (url: string) => fetchJson(url, { method: "GET" }, caPath);
  return {
    ...running,
    tokenUrl: (tenant = EXAMPLE.tenantId, version = "v2") =>
      `${running.identityUrl}/${tenant}/oauth2/${version === "v2" ? "v2.0/" : ""}token`,
    postForm,
    get,
    async adminToken() {
      const admin = await readAdminClient(dataDir, await loadMasterKey(dataDir));
      const res = await postForm(`${running.identityUrl}/${admin.tenantId}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: admin.clientId,
        client_secret: admin.clientSecret,
        scope: admin.scope,
      });
      return (res.body as { access_token: string }).access_token;
    },
    async verify(token, { issuer, audience }) {
      const jwks = (await get(`${running.identityUrl}/common/discovery/keys`)).body as Parameters<
        typeof createLocalJWKSet
      >[0];
      return jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience, algorithms: ["RS256"] });
    },
    async stop() {
      await running.close();
      if (!options.keepData && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
