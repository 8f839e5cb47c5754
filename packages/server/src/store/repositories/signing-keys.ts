import type { Kysely, Selectable } from "kysely";
import type { Database, SigningKeyTable } from "../schema.js";

export interface SigningKeyRecord {
  kid: string;
  certificatePem: string;
  /** Sealed with the master key; opened only inside the key ring. */
  sealedPrivateKey: string;
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
}

const toRecord = (row: Selectable<SigningKeyTable>): SigningKeyRecord => ({
  kid: row.kid,
  certificatePem: row.certificate,
  sealedPrivateKey: row.private_key,
  createdAt: row.created_at,
  activatedAt: row.activated_at,
  retiredAt: row.retired_at,
});

export class SigningKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom("signing_keys").selectAll().orderBy("created_at").execute();
    return rows.map(toRecord);
  }

  async insert(key: SigningKeyRecord): Promise<void> {
    await this.db
      .insertInto("signing_keys")
      .values({
        kid: key.kid,
        certificate: key.certificatePem,
        private_key: key.sealedPrivateKey,
        created_at: key.createdAt,
        activated_at: key.activatedAt,
        retired_at: key.retiredAt,
      })
      .execute();
  }
}
