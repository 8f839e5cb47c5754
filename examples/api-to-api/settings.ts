/**
 * Configuration of API1 and API2, from environment variables only, so the same code runs against Gatehouse or
 * Microsoft Entra ID (see README.md in this folder).
 */

/** The `fetch` the services use to reach the authority (discovery, JWKS, token endpoint). */
export type Fetch = typeof globalThis.fetch;

export interface Api1Settings {
  /** The tenant URL, as MSAL takes it: `https://localhost:8443/<tenant>` or `https://login.microsoftonline.com/<tenant>`. */
  authority: string;
  /** API1's appId, the `aud` of v2 tokens (the middleware also accepts `api://<appId>`, what v1 tokens carry). */
  audience: string;
  port: number;
  /** Trusts a private CA; absent, Node's global fetch (which honours NODE_EXTRA_CA_CERTS). */
  fetch?: Fetch;
}

export interface Api2Settings {
  authority: string;
  clientId: string;
  clientSecret: string;
  /** `api://<API1 appId>/.default`. */
  scope: string;
  /** Where API1 listens, e.g. `http://127.0.0.1:5001`. */
  api1Url: string;
  port: number;
  fetch?: Fetch;
}

/** API2 with a managed identity: no authority nor credentials, the SDK finds them in the environment. */
export type Api2ManagedIdentitySettings = Pick<Api2Settings, "scope" | "api1Url" | "port">;

/** The environment, or any variables in its shape. */
export type Env = Record<string, string | undefined>;

/** A missing or malformed environment variable. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

/** Where the example listens unless told otherwise. */
export const DEFAULT_PORTS = { identity: 8443, api1: 5001, api2: 5002, api2ManagedIdentity: 5003 } as const;

/** API1's settings from AUTHORITY, API1_AUDIENCE and API1_PORT. */
export function api1SettingsFromEnv(env: Env): Api1Settings {
  return {
    authority: required(env, "AUTHORITY"),
    audience: required(env, "API1_AUDIENCE"),
    port: portFromEnv(env, "API1_PORT", DEFAULT_PORTS.api1),
  };
}

/** API2's settings from AUTHORITY, API2_CLIENT_ID, API2_CLIENT_SECRET, API1_SCOPE, API1_URL and the ports. */
export function api2SettingsFromEnv(env: Env): Api2Settings {
  return {
    authority: required(env, "AUTHORITY"),
    clientId: required(env, "API2_CLIENT_ID"),
    clientSecret: required(env, "API2_CLIENT_SECRET"),
    scope: required(env, "API1_SCOPE"),
    api1Url: api1UrlFromEnv(env),
    port: portFromEnv(env, "API2_PORT", DEFAULT_PORTS.api2),
  };
}

/** The managed-identity API2's settings from API1_SCOPE, API1_URL (or API1_PORT) and API2_PORT (default 5003). */
export function api2ManagedIdentitySettingsFromEnv(env: Env): Api2ManagedIdentitySettings {
  return {
    scope: required(env, "API1_SCOPE"),
    api1Url: api1UrlFromEnv(env),
    port: portFromEnv(env, "API2_PORT", DEFAULT_PORTS.api2ManagedIdentity),
  };
}

const api1UrlFromEnv = (env: Env) =>
  env.API1_URL || `http://127.0.0.1:${portFromEnv(env, "API1_PORT", DEFAULT_PORTS.api1)}`;

/** A TCP port from the environment (0 lets the system choose), or the default when the variable is unset. */
export function portFromEnv(env: Env, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(`${name} must be a port number (0-65535)`);
  }
  return port;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") throw new SettingsError(`set ${name} (see examples/api-to-api/README.md)`);
  return value;
}
