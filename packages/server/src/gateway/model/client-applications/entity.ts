import { invalid } from "../checks.js";
import { EntityObject } from "../entity-object.js";
import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import { acceptsApplicationTokens } from "../products/types.js";
import type { GatewayTransaction } from "../transaction.js";
import { GatewayClientApplicationRepository } from "./repository.js";
import type {
  ClientApplication,
  ClientApplicationEntra,
  ClientApplicationFields,
  ClientApplicationInput,
  ProductLink,
} from "./types.js";
import { formatOwnerId } from "../users/owner-id.js";
import { checkLinkName, clientApplicationFrom } from "./validation.js";

/**
 * The client applications of one transaction, with their product links. The directory's side (registrations,
 * grants, secrets) is done outside any transaction (registration.ts); these only record what it did.
 */
export class ClientApplications extends EntityObject<GatewayClientApplicationRepository> {
  static readonly reads = ["list", "get", "validate"] as const;
  static readonly writes = ["put", "delete", "putLink", "deleteLink", "recordRegistration", "recordGrant"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayClientApplicationRepository);
  }

  list(): Promise<ClientApplication[]> {
    return this.repository.list();
  }

  get(name: string): Promise<ClientApplication | undefined> {
    return this.repository.get(name);
  }

  async require(name: string): Promise<ClientApplication> {
    const application = await this.repository.get(name);
    if (!application) throw new GatewayNotFoundError("ClientApplication", name);
    return application;
  }

  /** What put checks, without writing: so the directory is asked for a registration only for a valid one. */
  async validate(name: string, input: ClientApplicationInput): Promise<ClientApplicationFields> {
    const fields = clientApplicationFrom(name, input);
    // The registration is named after the application, so two names differing in case would share one.
    const twin = await this.repository.nameTwinOf(name);
    if (twin !== undefined) {
      throw new GatewayConflictError(`Client application '${twin}' exists; names may not differ only in case.`);
    }
    if (!(await this.tx.users.get(fields.ownerId))) {
      throw invalid("ownerId", `'${formatOwnerId(fields.ownerId)}' names a user that does not exist.`);
    }
    return fields;
  }

  /** Creates or replaces the application's own fields; `entra` records a registration provisioned for it. */
  async put(
    name: string,
    input: ClientApplicationInput,
    entra?: ClientApplicationEntra,
  ): Promise<{ application: ClientApplication; created: boolean }> {
    const fields = await this.validate(name, input);
    const existing = await this.repository.get(name);
    await this.repository.upsert(fields);
    if (entra) await this.repository.setRegistration(name, entra);
    return {
      application: { ...fields, entra: entra ?? existing?.entra ?? null, productLinks: existing?.productLinks ?? [] },
      created: existing === undefined,
    };
  }

  /** Deletes the application with its links (its registration is deleted by registration.ts first). */
  delete(name: string): Promise<boolean> {
    return this.repository.delete(name);
  }

  /**
   * Links the application to a product that accepts application tokens; `granted` records that the product's role
   * was assigned (a link granted before stays granted).
   */
  async putLink(
    application: string,
    name: string,
    product: string,
    granted: boolean,
  ): Promise<{ link: ProductLink; created: boolean }> {
    checkLinkName(name);
    const app = await this.require(application);
    const linked = await this.tx.products.get(product);
    if (!linked) throw invalid("productId", `names product '${product}', which does not exist.`);
    if (!acceptsApplicationTokens(linked)) {
      throw invalid(
        "productId",
        `names product '${product}', which does not accept application tokens: add application-token to its authenticationType first.`,
      );
    }
    const existing = app.productLinks.find((l) => l.name === name);
    if (existing && existing.product !== product) {
      throw new GatewayConflictError(
        `Link '${name}' is for product '${existing.product}'; delete it to link another product.`,
      );
    }
    const twin = app.productLinks.find((l) => l.product === product && l.name !== name);
    if (twin) {
      throw new GatewayConflictError(
        `Client application '${application}' is already linked to product '${product}' by link '${twin.name}'.`,
      );
    }
    const link: ProductLink = { name, product, granted: granted || (existing?.granted ?? false) };
    await this.repository.upsertLink(application, link);
    return { link, created: existing === undefined };
  }

  async deleteLink(application: string, name: string): Promise<boolean> {
    await this.require(application);
    return this.repository.deleteLink(application, name);
  }

  /** Records the registration provisioned for the application; false when it was deleted meanwhile. */
  recordRegistration(name: string, entra: ClientApplicationEntra): Promise<boolean> {
    return this.repository.setRegistration(name, entra);
  }

  /** Records whether the link's product role is granted; false when the link is gone. */
  recordGrant(application: string, link: string, granted: boolean): Promise<boolean> {
    return this.repository.setGranted(application, link, granted);
  }
}
