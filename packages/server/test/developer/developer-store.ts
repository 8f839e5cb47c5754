/**
 * A database with migration 005-developer alone (the users it refers to are not in the store yet), on SQLite and,
 * when it answers, PostgreSQL; and the users the developer modules read, kept in memory as the users entity will keep
 * them in the store.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Migrator, sql, type Kysely } from "kysely";
import type { DeveloperAccount, DeveloperAccounts, UserState } from "../../src/developer/accounts.js";
import type { DeveloperSessionTable, DeveloperTables, OneTimeTicketTable } from "../../src/developer/tables.js";
import { locateDatabase } from "../../src/store/database.js";
import { developerMigration } from "../../src/store/migrations/005-developer.js";
import type { DatabaseTarget } from "../helpers/databases.js";

export interface DeveloperDatabase {
  readonly db: Kysely<DeveloperTables>;
  close(): Promise<void>;
}

export async function openDeveloperDatabase(target: DatabaseTarget): Promise<DeveloperDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-developer-"));
  const where = locateDatabase(target.url(), dataDir);
  // Adds the tables the store's schema does not list yet (an object literal type, as withTables requires).
  const db = where
    .open()
    .withTables<{ developer_sessions: DeveloperSessionTable; one_time_tickets: OneTimeTicketTable }>();
  if (where.schema) await sql`create schema ${sql.id(where.schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ "005-developer": developerMigration }) },
    ...(where.schema ? { migrationTableSchema: where.schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  return {
    db,
    async close() {
      if (where.schema) await sql`drop schema ${sql.id(where.schema)} cascade`.execute(db);
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export class MemoryAccounts implements DeveloperAccounts {
  private readonly accounts = new Map<string, DeveloperAccount>();

  add(id: string, email: string, state: UserState, passwordHash?: string): void {
    this.accounts.set(id, { id, email, state, passwordHash });
  }

  get(id: string): DeveloperAccount | undefined {
    return this.accounts.get(id);
  }

  setState(id: string, state: UserState): void {
    const account = this.accounts.get(id);
    if (account) this.accounts.set(id, { ...account, state });
  }

  async findByEmail(email: string): Promise<DeveloperAccount | undefined> {
    return [...this.accounts.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());
  }

  async findById(id: string): Promise<DeveloperAccount | undefined> {
    return this.accounts.get(id);
  }

  async setPasswordHash(id: string, passwordHash: string, options: { activate: boolean }): Promise<void> {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`no user ${id}`);
    const state = options.activate && account.state === "pending" ? "active" : account.state;
    this.accounts.set(id, { ...account, passwordHash, state });
  }
}
