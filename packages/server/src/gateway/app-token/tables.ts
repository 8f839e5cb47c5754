/**
 * What the application-token authoriser is compiled from, per configuration revision (reference apim.md §5): the
 * products with application-based access on, and the client applications that may call them.
 */

/** A product with `authenticationType` containing `application-token`. */
export interface ProductApplicationAccess {
  productName: string;
  /**
   * The appId of the product's registration (`application.entra.applicationId`): tokens must be for it, as
   * `aud` = the appId (v2 tokens, or v1 ones requested as `<appId>/.default`) or `api://<appId>` (v1 tokens).
   */
  applicationId: string;
  /** `Product.<product>.All`: the role a token must carry. */
  roleValue: string;
  /** The tenant the product application lives in: tokens must come from its v1 or v2 issuer. */
  tenantId: string;
}

/** A client application, by its registration's appId (`entraApplicationId`: the token's `azp` or `appid`). */
export interface ClientApplicationAccess {
  entraApplicationId: string;
  /** The client application's name (its ARM resource name), for context and metrics. */
  clientApplicationName: string;
  /** The owner (`/users/{id}`'s id): `context.User` for its requests. */
  ownerUserId: string;
  /**
   * The products it is linked to (productLinks). A token opens only these, so unlinking takes effect at the next
   * revision, not only when the token expires.
   */
  productNames: readonly string[];
}

export interface AppTokenTables {
  products: readonly ProductApplicationAccess[];
  clientApplications: readonly ClientApplicationAccess[];
}
