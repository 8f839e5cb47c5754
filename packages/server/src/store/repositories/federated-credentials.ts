import type { Kysely, Selectable } from "kysely";
import type { Database, FederatedIdentityCredentialTable } from "../schema.js";
import type { StoredFederatedCredential } from "../../identity/model.js";

const toCredential = (row: Selectable<FederatedIdentityCredentialTable>): StoredFederatedCredential => ({
  id: row.id,
  applicationId: row.application_id,
  name: row.name,
  issuer: row.issuer,
  subject: row.subject,
  audiences: JSON.parse(row.audiences) as string[],
  description: row.description,
});

/** Applications' federated identity credentials, in the order they were added. */
export class FederatedCredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every credential, or those of one application. */
  async list(applicationId?: string): Promise<StoredFederatedCredential[]> {
    let query = this.db.selectFrom("federated_identity_credentials").selectAll();
    if (applicationId !== undefined) query = query.where("application_id", "=", applicationId);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    return rows.map(toCredential);
  }

  async insert(credential: StoredFederatedCredential): Promise<void> {
    await this.db
      .insertInto("federated_identity_credentials")
      .values({
        id: credential.id,
        application_id: credential.applicationId,
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
