/**
 * Where traces live: the database every node and the admin API share. A trace is kept for an hour and at most the
 * newest thousand are kept; older ones are pruned now and then, and never returned.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.js";
import type { TraceDocument } from "./recorder.js";

export interface TraceStoreOptions {
  retentionMs?: number;
  maxTraces?: number;
  /** How often a node prunes, at most. */
  pruneIntervalMs?: number;
  now?: () => number;
}

export const TRACE_RETENTION_MS = 60 * 60 * 1000;

export class TraceStore {
  private readonly retentionMs: number;
  private readonly maxTraces: number;
  private readonly pruneIntervalMs: number;
  private readonly now: () => number;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Kysely<Database>,
    options: TraceStoreOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? TRACE_RETENTION_MS;
    this.maxTraces = options.maxTraces ?? 1000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async save(trace: TraceDocument): Promise<void> {
    await this.db
      .insertInto("gateway_traces")
      .values({
        id: trace.id,
        api: trace.api,
        created_at: new Date(this.now()).toISOString(),
        document: JSON.stringify(trace),
      })
      .execute();
    if (this.now() - this.lastPrune >= this.pruneIntervalMs) await this.prune();
  }

  /** The trace, unless it is unknown or older than the retention. */
  async get(id: string): Promise<TraceDocument | undefined> {
    const row = await this.db
      .selectFrom("gateway_traces")
      .select("document")
      .where("id", "=", id)
      .where("created_at", ">", this.oldestKept())
      .executeTakeFirst();
    return row && (JSON.parse(row.document) as TraceDocument);
  }

  /** Deletes traces past the retention, then all but the newest `maxTraces`. */
  async prune(): Promise<void> {
    this.lastPrune = this.now();
    await this.db.deleteFrom("gateway_traces").where("created_at", "<=", this.oldestKept()).execute();
    const boundary = await this.db
      .selectFrom("gateway_traces")
      .select("created_at")
      .orderBy("created_at", "desc")
      .limit(1)
      .offset(this.maxTraces - 1)
      .executeTakeFirst();
    if (boundary) await this.db.deleteFrom("gateway_traces").where("created_at", "<", boundary.created_at).execute();
  }

  private oldestKept(): string {
    return new Date(this.now() - this.retentionMs).toISOString();
  }
}
