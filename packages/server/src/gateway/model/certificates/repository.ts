import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayCertificateTable } from "../../../store/schema.js";
import type { Certificate } from "./types.js";

/** A certificate as stored: its chain and private key sealed. */
export interface StoredCertificate extends Certificate {
  sealedMaterial: string;
}

const toCertificate = (row: Selectable<GatewayCertificateTable>): StoredCertificate => ({
  name: row.name,
  subject: row.subject,
  thumbprint: row.thumbprint,
  expirationDate: row.expiration_date,
  sealedMaterial: row.material,
});

export class GatewayCertificateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredCertificate[]> {
    return (await this.db.selectFrom("gateway_certificates").selectAll().orderBy("name").execute()).map(toCertificate);
  }

  async get(name: string): Promise<StoredCertificate | undefined> {
    const row = await this.db
      .selectFrom("gateway_certificates")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toCertificate(row);
  }

  async upsert(certificate: StoredCertificate): Promise<void> {
    const values = {
      subject: certificate.subject,
      thumbprint: certificate.thumbprint,
      expiration_date: certificate.expirationDate,
      material: certificate.sealedMaterial,
    };
    await this.db
      .insertInto("gateway_certificates")
      .values({ name: certificate.name, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_certificates").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
