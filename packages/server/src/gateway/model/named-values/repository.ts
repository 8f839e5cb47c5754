import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayNamedValueTable } from "../../../store/schema.js";
import type { NamedValue } from "./types.js";

/** A named value as stored: `storedValue` is sealed when the value is secret. */
export interface StoredNamedValue extends NamedValue {
  storedValue: string;
}

const toNamedValue = (row: Selectable<GatewayNamedValueTable>): StoredNamedValue => ({
  name: row.name,
  displayName: row.display_name,
  secret: row.secret === 1,
  tags: JSON.parse(row.tags) as string[],
  storedValue: row.value,
});

export class GatewayNamedValueRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredNamedValue[]> {
    return (await this.db.selectFrom("gateway_named_values").selectAll().orderBy("name").execute()).map(toNamedValue);
  }

  async get(name: string): Promise<StoredNamedValue | undefined> {
    const row = await this.db
      .selectFrom("gateway_named_values")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toNamedValue(row);
  }

  /** The named value `{{displayName}}` refers to (case-insensitive). */
  async findByDisplayName(displayName: string): Promise<StoredNamedValue | undefined> {
    const row = await this.db
      .selectFrom("gateway_named_values")
      .selectAll()
      .where("display_name_key", "=", displayName.toLowerCase())
      .executeTakeFirst();
    return row && toNamedValue(row);
  }

  async upsert(namedValue: StoredNamedValue): Promise<void> {
    const values = {
      display_name: namedValue.displayName,
      display_name_key: namedValue.displayName.toLowerCase(),
      value: namedValue.storedValue,
      secret: namedValue.secret ? 1 : 0,
      tags: JSON.stringify(namedValue.tags),
    };
    await this.db
      .insertInto("gateway_named_values")
      .values({ name: namedValue.name, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_named_values").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
