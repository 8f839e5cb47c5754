/** A client application of application-based access, with API Management's names (reference apim.md §5.4). */
import type { ClientApplicationRegistration } from "../../entra/directory.js";

/** The registration `APIMApplication<Name>` once provisioned: its ids and the tenant it lives in. */
export interface ClientApplicationEntra extends ClientApplicationRegistration {
  tenantId: string;
}

/** A link to a product (`productLinks/{name}`); granted once the product's role is assigned with admin consent. */
export interface ProductLink {
  name: string;
  product: string;
  granted: boolean;
}

/** APIM's states; Gatehouse has no approval workflow, so it derives only `pending` and `approved`. */
export type ClientApplicationState = "pending" | "active" | "rejected" | "approved";

export interface ClientApplication {
  name: string;
  displayName: string;
  description: string | null;
  /** The owner's user id (`/users/{id}`): the only user who sees the application, `context.User` of its calls. */
  ownerId: string;
  /** Null until the registration is provisioned. */
  entra: ClientApplicationEntra | null;
  productLinks: ProductLink[];
}

export interface ClientApplicationInput {
  displayName: string;
  description?: string | null;
  /** A user id. */
  ownerId: string;
}

/** What a client or a file sets: the application without its registration and links. */
export type ClientApplicationFields = Omit<ClientApplication, "entra" | "productLinks">;

/**
 * `approved` once registered with every linked product's role granted (APIM shows applications as approved by
 * default); `pending` while the registration or a grant waits for the directory.
 */
export const clientApplicationState = (app: ClientApplication): ClientApplicationState =>
  app.entra !== null && app.productLinks.every((link) => link.granted) ? "approved" : "pending";

/** A link's approval state, as the developer portal shows it per product. */
export const linkState = (app: ClientApplication, link: ProductLink): ClientApplicationState =>
  app.entra !== null && link.granted ? "approved" : "pending";
