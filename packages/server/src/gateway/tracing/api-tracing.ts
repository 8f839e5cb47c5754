/**
 * Tracing turned on for every request of an API by the admin, for at most an hour (APIM's debug credentials last
 * as long). Stored in the database; each node keeps the current set in memory, refreshed by polling, so the request
 * path only looks at a map, and only when the map is not empty.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.js";

export const MAX_API_TRACING_MS = 60 * 60 * 1000;

export class ApiTracingSettings {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Traces every request of the API until `expiresAt` (ms since the epoch). */
  async enable(api: string, expiresAt: number): Promise<void> {
    const expires_at = new Date(expiresAt).toISOString();
    await this.db
      .insertInto("gateway_api_tracing")
      .values({ api, expires_at })
      .onConflict((conflict) => conflict.column("api").doUpdateSet({ expires_at }))
      .execute();
  }

  async disable(api: string): Promise<void> {
    await this.db.deleteFrom("gateway_api_tracing").where("api", "=", api).execute();
  }

  /** Until when the API is traced, or undefined when it is not (any more). */
  async expiresAt(api: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("gateway_api_tracing")
      .select("expires_at")
      .where("api", "=", api)
      .where("expires_at", ">", new Date(this.now()).toISOString())
      .executeTakeFirst();
    return row && Date.parse(row.expires_at);
  }

  /** Every API traced now, with its expiry. */
  async active(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("gateway_api_tracing")
      .select(["api", "expires_at"])
      .where("expires_at", ">", new Date(this.now()).toISOString())
      .execute();
    return new Map(rows.map((row) => [row.api, Date.parse(row.expires_at)]));
  }
}

/** A node's view of ApiTracingSettings.active(), refreshed every poll interval and on reload. */
export class ApiTracingView {
  private tracedUntil: ReadonlyMap<string, number> = new Map();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: ApiTracingSettings,
    private readonly onError: (error: Error) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the set now, then keeps it fresh. */
  async start(pollIntervalMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), pollIntervalMs);
    this.timer.unref();
  }

  /** Whether the admin turned tracing on for this API, and it has not expired. */
  traces(api: string): boolean {
    if (this.tracedUntil.size === 0) return false;
    const until = this.tracedUntil.get(api);
    return until !== undefined && this.now() < until;
  }

  async refresh(): Promise<void> {
    try {
      this.tracedUntil = await this.settings.active();
    } catch (error) {
      // The last known set stays in force while the database cannot be read.
      this.onError(error as Error);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
