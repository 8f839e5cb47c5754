import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayOperationTable } from "../../../store/schema.js";
import type { Operation, OperationRequest, OperationResponse, ParameterContract } from "./types.js";
import { chunks } from "../../../store/repositories/chunks.js";

const toOperation = (row: Selectable<GatewayOperationTable>): Operation => ({
  api: row.api,
  name: row.name,
  displayName: row.display_name,
  method: row.method,
  urlTemplate: row.url_template,
  description: row.description,
  templateParameters: JSON.parse(row.template_parameters) as ParameterContract[],
  request: JSON.parse(row.request) as OperationRequest,
  responses: JSON.parse(row.responses) as OperationResponse[],
});

const columns = (operation: Operation) => ({
  display_name: operation.displayName,
  method: operation.method,
  url_template: operation.urlTemplate,
  description: operation.description,
  template_parameters: JSON.stringify(operation.templateParameters),
  request: JSON.stringify(operation.request),
  responses: JSON.stringify(operation.responses),
});

export class GatewayOperationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Operations of one API, or of every API. */
  async list(api?: string): Promise<Operation[]> {
    let query = this.db.selectFrom("gateway_operations").selectAll();
    if (api !== undefined) query = query.where("api", "=", api);
    return (await query.orderBy("api").orderBy("name").execute()).map(toOperation);
  }

  async get(api: string, name: string): Promise<Operation | undefined> {
    const row = await this.db
      .selectFrom("gateway_operations")
      .selectAll()
      .where("api", "=", api)
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toOperation(row);
  }

  /** Method and URL template of each operation of an API, to refuse a second operation matching the same requests. */
  async signatures(api: string): Promise<Pick<Operation, "name" | "method" | "urlTemplate">[]> {
    const rows = await this.db
      .selectFrom("gateway_operations")
      .select(["name", "method", "url_template"])
      .where("api", "=", api)
      .execute();
    return rows.map((r) => ({ name: r.name, method: r.method, urlTemplate: r.url_template }));
  }

  async upsert(operation: Operation): Promise<void> {
    const values = columns(operation);
    await this.db
      .insertInto("gateway_operations")
      .values({ api: operation.api, name: operation.name, ...values })
      .onConflict((oc) => oc.columns(["api", "name"]).doUpdateSet(values))
      .execute();
  }

  async insertMany(operations: Operation[]): Promise<void> {
    for (const group of chunks(operations)) {
      await this.db
        .insertInto("gateway_operations")
        .values(group.map((op) => ({ api: op.api, name: op.name, ...columns(op) })))
        .execute();
    }
  }

  async deleteAll(api: string): Promise<void> {
    await this.db.deleteFrom("gateway_operations").where("api", "=", api).execute();
  }

  async delete(api: string, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("gateway_operations")
      .where("api", "=", api)
      .where("name", "=", name)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
