import { sql, type Kysely } from "kysely";
import { withFileLock } from "../util/file-lock.js";
import type { Database } from "./schema.js";
import { locateDatabase, type DatabaseLocation, type DialectName, type QueryObserver } from "./database.js";
import { migrateToLatest } from "./migrate.js";
import { StoreError } from "./errors.js";
import { TenantRepository } from "./repositories/tenants.js";
import { ApplicationRepository } from "./repositories/applications.js";
import { ServicePrincipalRepository } from "./repositories/service-principals.js";
import { AppRoleAssignmentRepository } from "./repositories/app-role-assignments.js";
import { SigningKeyRepository } from "./repositories/signing-keys.js";
import { SettingRepository } from "./repositories/settings.js";
import { ManagedIdentityRepository } from "../identity/managed-identities/repository.js";

export interface Repositories {
  tenants: TenantRepository;
  applications: ApplicationRepository;
  servicePrincipals: ServicePrincipalRepository;
  assignments: AppRoleAssignmentRepository;
  signingKeys: SigningKeyRepository;
  settings: SettingRepository;
  managedIdentities: ManagedIdentityRepository;
}

const repositories = (db: Kysely<Database>): Repositories => ({
  tenants: new TenantRepository(db),
  applications: new ApplicationRepository(db),
  servicePrincipals: new ServicePrincipalRepository(db),
  assignments: new AppRoleAssignmentRepository(db),
  signingKeys: new SigningKeyRepository(db),
  settings: new SettingRepository(db),
  managedIdentities: new ManagedIdentityRepository(db),
});

/**
 * The configuration store. Every write runs in one transaction that also bumps a revision counter, so other
 * processes sharing the database (a CLI, other nodes) notice changes by polling one row.
 */
export class Store {
  private constructor(
    readonly db: Kysely<Database>,
    readonly dialect: DialectName,
    readonly location: string,
    private readonly file?: string,
  ) {}

  static async open(url: string | undefined, dataDir: string, onQuery?: QueryObserver): Promise<Store> {
    const where: DatabaseLocation = locateDatabase(url, dataDir);
    let db: Kysely<Database>;
    try {
      db = where.open(onQuery);
    } catch (error) {
      throw new StoreError(`cannot open ${where.display}: ${(error as Error).message}`);
    }
    try {
      // Kysely cannot lock SQLite migrations across processes: two nodes starting on a fresh file take turns here.
      const migrate = () => migrateToLatest(db, where.schema);
      if (where.file) await withFileLock(`${where.file}.migrate.lock`, { waitMs: 60_000, staleMs: 120_000 }, migrate);
      else await migrate();
    } catch (error) {
      await db.destroy().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot reach ${where.display}: ${(error as Error).message}`);
    }
    return new Store(db, where.dialect, where.display, where.file);
  }

  /** `db` is for modules that build their own repositories over it (the gateway model's entities). */
  async read<T>(fn: (repos: Repositories, db: Kysely<Database>) => Promise<T>): Promise<T> {
    return fn(repositories(this.db), this.db);
  }

  /**
   * Reads as of one instant (a repeatable-read transaction), so a revision number and the rows read with it agree
   * even while other processes write.
   */
  async readConsistent<T>(fn: (repos: Repositories, revision: number, db: Kysely<Database>) => Promise<T>): Promise<T> {
    let tx = this.db.transaction();
    if (this.dialect === "postgres") tx = tx.setIsolationLevel("repeatable read");
    return tx.execute(async (trx) => {
      const row = await trx.selectFrom("revision").select("revision").where("id", "=", 1).executeTakeFirstOrThrow();
      return fn(repositories(trx), Number(row.revision), trx);
    });
  }

  async write<T>(fn: (repos: Repositories, db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const result = await fn(repositories(trx), trx);
      await trx
        .updateTable("revision")
        .set((eb) => ({ revision: eb("revision", "+", 1) }))
        .where("id", "=", 1)
        .execute();
      return result;
    });
  }

  /**
   * Runs `fn` while no other process sharing this database runs an `exclusive` section of the same name: a
   * PostgreSQL advisory lock, or a lock file beside the SQLite database. Used so that nodes starting together on a
   * fresh database initialise it once.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.dialect === "sqlite") {
      return withFileLock(`${this.file as string}.${name}.lock`, { waitMs: 60_000, staleMs: 120_000 }, fn);
    }
    return this.db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(hashtext(${`gatehouse:${name}`}))`.execute(connection);
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${`gatehouse:${name}`}))`.execute(connection);
      }
    });
  }

  async revision(): Promise<number> {
    const row = await this.db.selectFrom("revision").select("revision").where("id", "=", 1).executeTakeFirstOrThrow();
    return Number(row.revision);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
