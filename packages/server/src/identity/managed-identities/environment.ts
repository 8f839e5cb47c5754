import { APP_SERVICE_PATH } from "./endpoints.js";

export interface IdentityEnvironmentInput {
  /** The identity listener's base URL, e.g. `https://localhost:8443`. */
  identityUrl: string;
  /** A value of the host's identity header. */
  header: string;
  /** A user-assigned identity of the host to use instead of its system-assigned one. */
  clientId?: string;
  /** The local CA, when the listener's certificate is not publicly trusted. */
  caPath?: string;
}

/**
 * The variables App Service gives a service (IDENTITY_ENDPOINT, IDENTITY_HEADER), plus AZURE_CLIENT_ID for a
 * user-assigned identity and NODE_EXTRA_CA_CERTS for a local CA: what `gatehouse identity env` prints and what the
 * Azure SDKs read.
 */
export const identityEnvironment = (input: IdentityEnvironmentInput): Record<string, string> => ({
  IDENTITY_ENDPOINT: `${input.identityUrl.replace(/\/+$/, "")}${APP_SERVICE_PATH}`,
  IDENTITY_HEADER: input.header,
  ...(input.clientId !== undefined ? { AZURE_CLIENT_ID: input.clientId } : {}),
  ...(input.caPath !== undefined ? { NODE_EXTRA_CA_CERTS: input.caPath } : {}),
});
