import type { Kysely, Selectable } from "kysely";
import type { Database, FederatedIdentityCredentialTable } from "../schema.js";
import type { FederatedCredentialOwner, StoredFederatedCredential } from "../../identity/model.js";

const toCredential = (row: Selectable<FederatedIdentityCredentialTable>): StoredFederatedCredential => ({
  id: row.id,
  owner:
    row.application_id !== null
      ? { kind: "application", id: row.application_id }
      : { kind: "identity", id: row.identity_id as string },
  name: row.name,
  issuer: row.issuer,
  subject: row.subject,
  audiences: JSON.parse(row.audiences) as string[],
  description: row.description,
});

const ownerColumn = (owner: FederatedCredentialOwner) =>
  owner.kind === "application" ? "application_id" : "identity_id";

/** Federated identity credentials of applications and user-assigned identities, in the order they were added. */
export class FederatedCredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every credential, or those of one owner. */
  async list(owner?: FederatedCredentialOwner): Promise<StoredFederatedCredential[]> {
    let query = this.db.selectFrom("federated_identity_credentials").selectAll();
    if (owner !== undefined) query = query.where(ownerColumn(owner), "=", owner.id);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    return rows.map(toCredential);
  }

  async insert(credential: StoredFederatedCredential): Promise<void> {
    const { owner } = credential;
    await this.db
      .insertInto("federated_identity_credentials")
      .values({
        id: credential.id,
        application_id: owner.kind === "application" ? owner.id : null,
        identity_id: owner.kind === "identity" ? owner.id : null,
        name: credential.name,
        name_key: credential.name.toLowerCase(),
        issuer: credential.issuer,
        subject: credential.subject,
        audiences: JSON.stringify(credential.audiences),
        description: credential.description,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  /** Issuer, subject, audiences and description; the name is immutable, as in Graph. */
  async update(credential: StoredFederatedCredential): Promise<void> {
    await this.db
      .updateTable("federated_identity_credentials")
      .set({
        issuer: credential.issuer,
        subject: credential.subject,
        audiences: JSON.stringify(credential.audiences),
        description: credential.description,
      })
      .where("id", "=", credential.id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("federated_identity_credentials").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
