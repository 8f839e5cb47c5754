import { CachedCredential } from "./cached-credential.js";
import { TokenEndpointDiscovery } from "./discovery.js";
import { resolveOptions, type ClientCredentialsOptions, type ResolvedOptions } from "./options.js";
import { RetryingSender } from "./sender.js";
import { requestToken } from "./token-request.js";
import type { TokenEntry } from "./token-store.js";

/**
 * App-only tokens with the OAuth 2.0 client credentials grant, from Microsoft Entra ID or Gatehouse (MSAL's
 * `acquireTokenForClient`). The token endpoint is discovered from the authority. Tokens are cached in the token
 * store and renewed in the background ahead of expiry; concurrent calls share one request; network errors, 429 and
 * 5xx are retried with backoff and `Retry-After`; failures are typed ({@link TokenRequestError} …).
 *
 * `getToken` throws {@link TokenRequestError} when the token endpoint refuses or cannot be reached, and
 * {@link DiscoveryError} when the authority's configuration cannot be read.
 *
 * @example
 * ```ts
 * const cc = new ClientCredentials({ authority: "https://localhost:8443/contoso.example", clientId, clientSecret,
 *   scope: "api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f/.default" });
 * const { accessToken, expiresOn } = await cc.getToken();
 * const res = await cc.fetch("https://api.example/records");
 * ```
 */
export class ClientCredentials extends CachedCredential {
  private readonly options: ResolvedOptions;
  private readonly sender: RetryingSender;
  private readonly discovery: TokenEndpointDiscovery;

  /** @throws {@link ConfigurationError} for unusable options (an http authority, no credential, a bad PEM …). */
  constructor(options: ClientCredentialsOptions) {
    const resolved = resolveOptions(options);
    const { authority, clientId, target } = resolved;
    // The token store key of this instance's tokens: its authority, client and scope (or resource).
    super(JSON.stringify([authority.toLowerCase(), clientId.toLowerCase(), target.parameter, target.value]), resolved);
    this.options = resolved;
    this.sender = new RetryingSender(resolved);
    this.discovery = new TokenEndpointDiscovery(authority, target.parameter === "scope" ? "v2" : "v1", this.sender);
  }

  protected async requestToken(): Promise<TokenEntry> {
    const tokenEndpoint = await this.discovery.tokenEndpoint();
    return requestToken(this.sender, tokenEndpoint, this.options);
  }
}
