import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.js";
import type { GatewayTransaction } from "./transaction.js";

/** An entity's object in one transaction (`tx.apis` …), over its repository on the transaction's handle. */
export abstract class EntityObject<Repository> {
  protected readonly repository: Repository;

  protected constructor(
    protected readonly tx: GatewayTransaction,
    repository: new (db: Kysely<Database>) => Repository,
  ) {
    this.repository = new repository(tx.db);
  }
}
