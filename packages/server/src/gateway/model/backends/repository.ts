import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayBackendTable } from "../../../store/schema.js";
import type { Backend } from "./types.js";

/** A backend as stored: its credentials (header values, authorization parameter) sealed. */
export interface StoredBackend extends Omit<Backend, "credentials"> {
  sealedCredentials: string | null;
}

const toBackend = (row: Selectable<GatewayBackendTable>): StoredBackend => ({
  name: row.name,
  url: row.url,
  protocol: row.protocol as Backend["protocol"],
  title: row.title,
  description: row.description,
  sealedCredentials: row.credentials,
  tls: {
    validateCertificateChain: row.validate_certificate_chain === 1,
    validateCertificateName: row.validate_certificate_name === 1,
  },
});

export class GatewayBackendRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredBackend[]> {
    return (await this.db.selectFrom("gateway_backends").selectAll().orderBy("name").execute()).map(toBackend);
  }

  async get(name: string): Promise<StoredBackend | undefined> {
    const row = await this.db.selectFrom("gateway_backends").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toBackend(row);
  }

  async upsert(backend: StoredBackend): Promise<void> {
    const values = {
      url: backend.url,
      protocol: backend.protocol,
      title: backend.title,
      description: backend.description,
      credentials: backend.sealedCredentials,
      validate_certificate_chain: backend.tls.validateCertificateChain ? 1 : 0,
      validate_certificate_name: backend.tls.validateCertificateName ? 1 : 0,
    };
    await this.db
      .insertInto("gateway_backends")
      .values({ name: backend.name, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_backends").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
