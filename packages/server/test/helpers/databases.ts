import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_URL = process.env.GATEHOUSE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

export interface DatabaseTarget {
  name: "sqlite" | "postgres";
  /** A fresh, isolated database URL (a new schema for PostgreSQL); undefined = SQLite in the data folder. */
  url(): string | undefined;
  /** Why the target is skipped, or false when it runs. */
  skip: string | false;
}

async function postgresReachable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return false;
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_URL} is not reachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * SQLite always; PostgreSQL when it answers. Under CI=true PostgreSQL must run: an unreachable server fails the
 * suite instead of skipping it.
 */
export async function databaseTargets(): Promise<DatabaseTarget[]> {
  const unreachable = await postgresReachable();
  if (unreachable && process.env.CI === "true") throw new Error(`CI=true requires PostgreSQL: ${unreachable}`);
  if (unreachable) console.log(`# skipping PostgreSQL store tests: ${unreachable}`);
  return [
    { name: "sqlite", url: () => undefined, skip: false },
    {
      name: "postgres",
      url: () => `${POSTGRES_URL}?schema=gh_test_${randomBytes(6).toString("hex")}`,
      skip: unreachable,
    },
  ];
}
