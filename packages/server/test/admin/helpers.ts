import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAdminClient, type AdminClientCredentials } from "../../src/admin/management.js";
import { defaultServerOptions, type ServerOptions } from "../../src/config/options.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { startGatehouse, type RunningGatehouse } from "../../src/server.js";

export interface AdminHarness {
  gatehouse: RunningGatehouse;
  admin: AdminClientCredentials;
  /** A fresh admin access token (client credentials against the real token endpoint). */
  adminToken(): Promise<string>;
  /** Calls the admin API with the admin token unless `token` is given (`null`: no Authorization header). */
  call<T = Record<string, unknown>>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (for malformed JSON). */
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, typed as the test expects it (an empty object for an empty body). */
  json: T;
}

/**
 * Starts a real Gatehouse (insecure HTTP, ports 0, empty data folder) and reads its bootstrap admin client;
 * `overrides` change the server's options (a notifier that keeps links, a configuration file …).
 */
export async function startAdminHarness(overrides: Partial<ServerOptions> = {}): Promise<AdminHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-admin-"));
  const gatehouse = await startGatehouse({
    ...defaultServerOptions,
    dataDir,
    identityPort: 0,
    adminPort: 0,
    gatewayPort: 0,
    tls: { mode: "insecure" },
    logLevel: "silent",
    demo: false,
    ...overrides,
  });
  const admin = await readAdminClient(dataDir, await loadMasterKey(dataDir));
  let cached: string | undefined;
  const adminToken = async () => {
    const response = await requestToken(
      gatehouse.identityUrl,
      admin.tenantId,
      admin.clientId,
      admin.clientSecret,
      admin.scope,
    );
    assert.equal(response.status, 200, `admin token request failed: ${JSON.stringify(response.body)}`);
    return response.body.access_token as string;
  };
  const call = async <T>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> => {
    const token = options.token === undefined ? (cached ??= await adminToken()) : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(`${gatehouse.adminUrl}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    gatehouse,
    admin,
    adminToken,
    call,
    async close() {
      await gatehouse.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client-credentials request with a client secret, as any OAuth client sends it. */
export async function requestToken(
  identityUrl: string,
  tenant: string,
  clientId: string,
  secret: string,
  scope: string,
) {
  const response = await fetch(`${identityUrl}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ISO_NO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Asserts a Microsoft Graph error response with the given status and code. */
export function assertGraphError(response: ApiResponse<unknown>, status: number, code: string): string {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const { error } = response.json as { error: { code: string; message: string; innerError: Record<string, string> } };
  assert.equal(error.code, code, response.text);
  assert.equal(typeof error.message, "string");
  assert.match(error.innerError.date ?? "", ISO_NO_MILLIS);
  assert.ok(error.innerError["request-id"]);
  assert.ok(error.innerError["client-request-id"]);
  assert.doesNotMatch(response.text, /\n\s+at /, "no stack trace");
  return error.message;
}
