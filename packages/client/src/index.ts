export { ClientCredentials } from "./client-credentials.js";
export { ManagedIdentityCredential, type ManagedIdentityCredentialOptions } from "./managed-identity.js";
export { CachedCredential, type GetTokenOptions, type TokenResult } from "./cached-credential.js";
export type { ClientCredentialsOptions, CredentialOptions } from "./options.js";
export type { CertificateCredential } from "./certificate-signer.js";
export type { AssertionContext, ClientAssertionCallback, SecretAuthentication } from "./credentials.js";
export type { RetryOptions } from "./sender.js";
export { MemoryTokenStore, type TokenEntry, type TokenStore } from "./token-store.js";
export {
  ConfigurationError,
  DiscoveryError,
  EndpointError,
  GatehouseClientError,
  ManagedIdentityError,
  TokenRequestError,
  type EndpointErrorDetails,
  type EntraErrorFields,
} from "./errors.js";
