import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect, type Dialect, type LogEvent } from "kysely";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { Database } from "./schema.js";
import { StoreError } from "./errors.js";
import { PRIVATE_DIR_MODE, makePrivateFile, restrict } from "../util/private-files.js";

export type DialectName = "sqlite" | "postgres";

export interface DatabaseLocation {
  dialect: DialectName;
  /** PostgreSQL schema to create and use (from `?schema=`), if any. */
  schema?: string;
  /** SQLite: the database file, beside which cross-process lock files go. */
  file?: string;
  /** Where it is, with any password removed: safe for logs and errors. */
  display: string;
  open(onQuery?: QueryObserver): Kysely<Database>;
}

/** Sees every SQL statement (text only, never parameters, which may hold hashes). */
export type QueryObserver = (sql: string) => void;

const logOption = (onQuery?: QueryObserver) => (onQuery ? { log: (event: LogEvent) => onQuery(event.query.sql) } : {});

/**
 * `undefined` or `sqlite:` → `<dataDir>/gatehouse.db`; `sqlite:PATH` → that file;
 * `postgres://…` (optionally `?schema=NAME`, which becomes the search_path) → PostgreSQL.
 */
export function locateDatabase(url: string | undefined, dataDir: string): DatabaseLocation {
  if (!url || url === "sqlite:" || url === "sqlite") return sqliteAt(join(dataDir, "gatehouse.db"));
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    return sqliteAt(isAbsolute(path) ? path : resolve(path));
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return postgresAt(url);
  throw new StoreError(`unsupported --database '${redact(url)}': use sqlite:PATH or postgres://HOST:PORT/DB`);
}

function sqliteAt(file: string): DatabaseLocation {
  return {
    dialect: "sqlite",
    display: `sqlite:${file}`,
    file,
    open(onQuery) {
      // A new folder is private; an existing one (the data folder, or one the user chose) keeps its mode.
      mkdirSync(join(file, ".."), { recursive: true, mode: PRIVATE_DIR_MODE });
      // SQLite creates -wal and -shm with the database's mode, so the database is made private before it opens.
      makePrivateFile(file);
      const sqlite = new BetterSqlite3(file);
      // WAL lets the CLI write while a server reads; FULL sync so an acknowledged write survives a crash.
      sqlite.pragma("journal_mode = WAL");
      for (const suffix of ["-wal", "-shm"]) restrict(`${file}${suffix}`);
      sqlite.pragma("synchronous = FULL");
      sqlite.pragma("foreign_keys = ON");
      sqlite.pragma("busy_timeout = 5000");
      return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), ...logOption(onQuery) });
    },
  };
}

function postgresAt(url: string): DatabaseLocation {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  if (schema !== null && !/^[a-z_][a-z0-9_]*$/i.test(schema)) {
    throw new StoreError(`invalid schema name '${schema}' in --database`);
  }
  return {
    dialect: "postgres",
    display: redact(url),
    ...(schema ? { schema } : {}),
    open(onQuery) {
      const pool = new pg.Pool({
        connectionString: parsed.toString(),
        max: 10,
        connectionTimeoutMillis: 5000,
        ...(schema ? { options: `-c search_path=${schema}` } : {}),
      });
      // An idle client losing its connection must not crash the process.
      pool.on("error", () => undefined);
      const dialect: Dialect = new PostgresDialect({ pool });
      return new Kysely<Database>({ dialect, ...logOption(onQuery) });
    },
  };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}
