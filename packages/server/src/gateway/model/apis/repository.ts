import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayApiTable } from "../../../store/schema.js";
import type { Api, ApiProtocol, ApiType } from "./types.js";
import { chunks } from "../../../store/repositories/chunks.js";

const toApi = (row: Selectable<GatewayApiTable>): Api => ({
  name: row.name,
  displayName: row.display_name,
  description: row.description,
  path: row.path,
  serviceUrl: row.service_url,
  protocols: JSON.parse(row.protocols) as ApiProtocol[],
  apiType: row.api_type as ApiType,
  subscriptionRequired: row.subscription_required === 1,
  subscriptionKeyParameterNames: { header: row.key_header, query: row.key_query },
});

const columns = (api: Api) => ({
  display_name: api.displayName,
  description: api.description,
  path: api.path,
  path_key: api.path.toLowerCase(),
  service_url: api.serviceUrl,
  protocols: JSON.stringify(api.protocols),
  api_type: api.apiType,
  subscription_required: api.subscriptionRequired ? 1 : 0,
  key_header: api.subscriptionKeyParameterNames.header,
  key_query: api.subscriptionKeyParameterNames.query,
});

export class GatewayApiRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Api[]> {
    return (await this.db.selectFrom("gateway_apis").selectAll().orderBy("name").execute()).map(toApi);
  }

  async get(name: string): Promise<Api | undefined> {
    const row = await this.db.selectFrom("gateway_apis").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toApi(row);
  }

  /** In one query: the API of this name, and the API holding this path (compared case-insensitively). */
  async lookup(name: string, path: string): Promise<{ named: Api | undefined; atPath: Api | undefined }> {
    const rows = await this.db
      .selectFrom("gateway_apis")
      .selectAll()
      .where((eb) => eb.or([eb("name", "=", name), eb("path_key", "=", path.toLowerCase())]))
      .execute();
    const named = rows.find((r) => r.name === name);
    const atPath = rows.find((r) => r.path_key === path.toLowerCase());
    return { named: named && toApi(named), atPath: atPath && toApi(atPath) };
  }

  /** The APIs holding any of these names or paths (paths compared case-insensitively). */
  async holding(wanted: readonly Pick<Api, "name" | "path">[]): Promise<Api[]> {
    const found: Api[] = [];
    for (const group of chunks(wanted)) {
      const rows = await this.db
        .selectFrom("gateway_apis")
        .selectAll()
        .where((eb) =>
          eb.or([
            eb(
              "name",
              "in",
              group.map((a) => a.name),
            ),
            eb(
              "path_key",
              "in",
              group.map((a) => a.path.toLowerCase()),
            ),
          ]),
        )
        .execute();
      found.push(...rows.map(toApi));
    }
    return found;
  }

  async upsert(api: Api): Promise<void> {
    const values = columns(api);
    await this.db
      .insertInto("gateway_apis")
      .values({ name: api.name, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  /** Inserts new APIs in a few statements (configuration as code creating many at once). */
  async insertMany(apis: Api[]): Promise<void> {
    for (const group of chunks(apis)) {
      await this.db
        .insertInto("gateway_apis")
        .values(group.map((api) => ({ name: api.name, ...columns(api) })))
        .execute();
    }
  }

  /** Deletes the API; its operations and product links go with it (foreign keys). */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_apis").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
