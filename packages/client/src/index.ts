export { ClientCredentials, type GetTokenOptions, type TokenResult } from "./client-credentials.js";
export type { ClientCredentialsOptions } from "./options.js";
export type { CertificateCredential } from "./certificate-signer.js";
export type { AssertionContext, ClientAssertionCallback, SecretAuthentication } from "./credentials.js";
export type { RetryOptions } from "./sender.js";
export { MemoryTokenStore, type TokenEntry, type TokenStore } from "./token-store.js";
export {
  ConfigurationError,
  DiscoveryError,
  EndpointError,
  GatehouseClientError,
  TokenRequestError,
  type EndpointErrorDetails,
  type EntraErrorFields,
} from "./errors.js";
