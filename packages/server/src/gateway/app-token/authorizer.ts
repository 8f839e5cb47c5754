import { checkLifetime, claimStrings } from "../jwt/claims.js";
import type { KeySources } from "../jwt/key-sources.js";
import { decodeToken, type DecodedToken } from "../jwt/token.js";
import { JwtValidationError, quote } from "../jwt/validation-error.js";
import type { VerifyCache } from "../jwt/verify-cache.js";
import type { AppTokenRefusal } from "./refusal.js";
import type { AppTokenTables, ClientApplicationAccess, ProductApplicationAccess } from "./tables.js";
import { TenantKeys } from "./tenant-keys.js";

/** The token's audience names no product application of this revision. */
class ForeignTokenError extends JwtValidationError {
  override name = "ForeignTokenError";
}

export type AppTokenDecision =
  /** No `Authorization: Bearer …`: the caller decides (a subscription key, an open product, or a refusal). */
  | { outcome: "absent" }
  | {
      outcome: "accepted";
      /** The product the request is processed under (`context.Product`). */
      product: ProductApplicationAccess;
      /** The calling application; its owner is `context.User`. */
      clientApplication: ClientApplicationAccess;
      /** The verified token, decoded once. */
      token: DecodedToken;
    }
  | { outcome: "refused"; refusal: AppTokenRefusal }
  /**
   * A bearer token whose audience is no product application's: not an application token (it may be meant for the
   * API's own validate-jwt). Where the API's products take keys, the key rules decide; else it is refused.
   */
  | { outcome: "foreign"; refusal: AppTokenRefusal };

export interface AppTokenAuthorizerOptions {
  /** The gateway's long-lived key sources (shared with validate-jwt and validate-azure-ad-token). */
  keySources: KeySources;
  /** The identity service's base URL, as validate-azure-ad-token's authority: Entra's or Gatehouse's identity URL. */
  authority: string;
  /** Leeway on `exp` and `nbf`; default 60 s, for gateway and identity nodes on different hosts. */
  clockSkewSeconds?: number;
}

const BEARER = /^Bearer +(\S+) *$/i;
const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/** The audience forms a product application's tokens carry, compared without case and one trailing slash. */
const audienceKey = (audience: string) => (audience.endsWith("/") ? audience.slice(0, -1) : audience).toLowerCase();

interface CompiledProduct {
  access: ProductApplicationAccess;
  keys: TenantKeys;
}

/**
 * Application-token authorisation for one configuration revision (reference apim.md §5.2), compiled once: products by
 * audience, client applications by appId, and each product tenant's keys. Per request it reads no database: a token
 * verified before costs a few map lookups; a new one a signature check (and at most a key fetch per cooldown).
 *
 * A token is accepted for a request to an API when, in this order: it is a JWT; its `aud` is the appId or
 * `api://<appId>` of a product with application access that contains the API; its signature verifies with the keys
 * of that product's tenant; `iss` is that tenant's v1 or v2 issuer; it is within its lifetime; `roles` has the
 * product's `Product.<name>.All`; and `azp` (v2) or `appid` (v1) is a known client application linked to the
 * product. The audience picks the product, so a token for product A never opens product B.
 */
export class AppTokenAuthorizer {
  private readonly byAudience = new Map<string, CompiledProduct>();
  private readonly productNames = new Set<string>();
  private readonly clients = new Map<string, ClientApplicationAccess>();
  private readonly cache: VerifyCache;
  private readonly clockSkewSeconds: number;

  constructor(tables: AppTokenTables, options: AppTokenAuthorizerOptions) {
    this.cache = options.keySources.verifyCache;
    this.clockSkewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    const tenants = new Map<string, TenantKeys>();
    for (const access of tables.products) {
      const tenant = access.tenantId.toLowerCase();
      let keys = tenants.get(tenant);
      if (!keys) {
        keys = new TenantKeys(tenant, options.authority, options.keySources, this.cache);
        tenants.set(tenant, keys);
      }
      const compiled = { access, keys };
      this.productNames.add(access.productName);
      this.byAudience.set(audienceKey(access.applicationId), compiled);
      this.byAudience.set(audienceKey(`api://${access.applicationId}`), compiled);
    }
    for (const client of tables.clientApplications) this.clients.set(client.entraApplicationId.toLowerCase(), client);
  }

  /** Whether the product accepts application tokens in this revision. */
  accepts(productName: string): boolean {
    return this.productNames.has(productName);
  }

  /**
   * Decides on the request's `Authorization` header for an API contained in `apiProducts` (product names). Returns
   * synchronously for a token verified before, else a promise.
   */
  authorize(
    authorization: string | undefined,
    apiProducts: ReadonlySet<string>,
    now: number = Date.now() / 1000,
  ): AppTokenDecision | Promise<AppTokenDecision> {
    const raw = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (raw === undefined) return { outcome: "absent" };
    try {
      // A token seen before is not decoded again; its verification counts only if this product's keys hold its key.
      const cached = this.cache.get(raw, now);
      const token = cached?.token ?? decodeToken(raw);
      const product = this.productFor(token, apiProducts);
      if (cached !== undefined && product.keys.trusts(cached)) return this.decide(token, product, now);
      return product.keys.verify(token, now).then(
        () => this.decide(token, product, now),
        (error: unknown) => refusedBy(error),
      );
    } catch (error) {
      return refusedBy(error);
    }
  }

  /** The product the token's audience names, which must contain the API. */
  private productFor(token: DecodedToken, apiProducts: ReadonlySet<string>): CompiledProduct {
    const audiences = claimStrings(token.payload.aud);
    const product = audiences.map((aud) => this.byAudience.get(audienceKey(aud))).find((p) => p !== undefined);
    if (!product) {
      throw new ForeignTokenError(
        "TokenAudienceNotAllowed",
        `IDX10214: Audience validation failed. Audiences: '${quote(audiences.join(", "))}'. Did not match any product with application access.`,
      );
    }
    if (!apiProducts.has(product.access.productName)) {
      throw new JwtValidationError(
        "TokenAudienceNotAllowed",
        `The token is for product '${product.access.productName}', which does not contain this API.`,
      );
    }
    return product;
  }

  private decide(token: DecodedToken, product: CompiledProduct, now: number): AppTokenDecision {
    try {
      product.keys.checkIssuer(token);
      checkLifetime(token, { requireExpirationTime: true, clockSkewSeconds: this.clockSkewSeconds }, now);
    } catch (error) {
      return refusedBy(error);
    }
    const { access } = product;
    if (!claimStrings(token.payload.roles).includes(access.roleValue)) {
      return forbidden("ProductRoleNotFound", `The token's roles do not include '${access.roleValue}'.`);
    }
    const { azp, appid } = token.payload;
    const clientId = typeof azp === "string" ? azp : typeof appid === "string" ? appid : undefined;
    if (clientId === undefined) return forbidden("ClientApplicationNotAllowed", "The token has neither azp nor appid.");
    const client = this.clients.get(clientId.toLowerCase());
    if (!client || !client.productNames.includes(access.productName)) {
      return forbidden(
        "ClientApplicationNotAllowed",
        `Application '${quote(clientId)}' is not a client application of product '${access.productName}'.`,
      );
    }
    return { outcome: "accepted", product: access, clientApplication: client, token };
  }
}

function forbidden(reason: AppTokenRefusal["reason"], detail: string): AppTokenDecision {
  return { outcome: "refused", refusal: { status: 403, reason, detail } };
}

/** A failed token check is a 401; anything else is a defect and propagates. */
function refusedBy(error: unknown): AppTokenDecision {
  if (!(error instanceof JwtValidationError)) throw error;
  const refusal: AppTokenRefusal = { status: 401, reason: error.reason, detail: error.message };
  return error instanceof ForeignTokenError ? { outcome: "foreign", refusal } : { outcome: "refused", refusal };
}
