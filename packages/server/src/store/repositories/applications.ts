import type { Kysely, Selectable } from "kysely";
import type { ApplicationTable, Database, KeyCredentialTable, PasswordCredentialTable } from "../schema.js";
import type {
  Application,
  ApplicationDocument,
  StoredKeyCredential,
  StoredPasswordCredential,
} from "../../identity/model.js";

export interface StoredApplication extends Omit<Application, "passwordCredentials" | "keyCredentials"> {
  passwordCredentials: StoredPasswordCredential[];
  keyCredentials: StoredKeyCredential[];
}

const toPassword = (row: Selectable<PasswordCredentialTable>): StoredPasswordCredential => ({
  keyId: row.key_id,
  displayName: row.display_name,
  hint: row.hint,
  startDateTime: row.start_date_time,
  endDateTime: row.end_date_time,
  customKeyIdentifier: null,
  secretHash: row.secret_hash,
});

const toKey = (row: Selectable<KeyCredentialTable>): StoredKeyCredential => ({
  keyId: row.key_id,
  displayName: row.display_name,
  type: "AsymmetricX509Cert",
  usage: "Verify",
  key: row.certificate,
  customKeyIdentifier: Buffer.from(row.thumbprint_sha1, "base64url").toString("hex").toUpperCase(),
  startDateTime: row.start_date_time,
  endDateTime: row.end_date_time,
  thumbprintSha1: row.thumbprint_sha1,
  thumbprintSha256: row.thumbprint_sha256,
});

export class ApplicationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** All applications with their credentials, optionally of one tenant, in three queries. */
  async list(tenantId?: string): Promise<StoredApplication[]> {
    let query = this.db.selectFrom("applications").selectAll();
    if (tenantId) query = query.where("tenant_id", "=", tenantId);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [passwords, keys] = await Promise.all([
      this.db
        .selectFrom("password_credentials")
        .selectAll()
        .where("application_id", "in", ids)
        .orderBy("created_at")
        .execute(),
      this.db
        .selectFrom("key_credentials")
        .selectAll()
        .where("application_id", "in", ids)
        .orderBy("created_at")
        .execute(),
    ]);
    return rows.map((row) => this.assemble(row, passwords, keys));
  }

  async get(id: string): Promise<StoredApplication | undefined> {
    return this.getBy("id", id);
  }

  async getByAppId(appId: string): Promise<StoredApplication | undefined> {
    return this.getBy("app_id", appId);
  }

  private async getBy(column: "id" | "app_id", value: string): Promise<StoredApplication | undefined> {
    const row = await this.db.selectFrom("applications").selectAll().where(column, "=", value).executeTakeFirst();
    if (!row) return undefined;
    const [passwords, keys] = await Promise.all([
      this.db
        .selectFrom("password_credentials")
        .selectAll()
        .where("application_id", "=", row.id)
        .orderBy("created_at")
        .execute(),
      this.db
        .selectFrom("key_credentials")
        .selectAll()
        .where("application_id", "=", row.id)
        .orderBy("created_at")
        .execute(),
    ]);
    return this.assemble(row, passwords, keys);
  }

  private assemble(
    row: Selectable<ApplicationTable>,
    passwords: Selectable<PasswordCredentialTable>[],
    keys: Selectable<KeyCredentialTable>[],
  ): StoredApplication {
    const document = JSON.parse(row.document) as ApplicationDocument;
    return {
      ...document,
      id: row.id,
      appId: row.app_id,
      tenantId: row.tenant_id,
      displayName: row.display_name,
      createdDateTime: row.created_at,
      passwordCredentials: passwords.filter((p) => p.application_id === row.id).map(toPassword),
      keyCredentials: keys.filter((k) => k.application_id === row.id).map(toKey),
    };
  }

  async insert(app: Omit<Application, "passwordCredentials" | "keyCredentials">): Promise<void> {
    await this.db
      .insertInto("applications")
      .values({
        id: app.id,
        app_id: app.appId,
        tenant_id: app.tenantId,
        display_name: app.displayName,
        document: JSON.stringify(documentOf(app)),
        created_at: app.createdDateTime,
      })
      .execute();
  }

  async update(app: Omit<Application, "passwordCredentials" | "keyCredentials">): Promise<void> {
    await this.db
      .updateTable("applications")
      .set({ display_name: app.displayName, document: JSON.stringify(documentOf(app)) })
      .where("id", "=", app.id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("applications").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async addPassword(applicationId: string, credential: StoredPasswordCredential): Promise<void> {
    await this.db
      .insertInto("password_credentials")
      .values({
        key_id: credential.keyId,
        application_id: applicationId,
        display_name: credential.displayName,
        hint: credential.hint,
        secret_hash: credential.secretHash,
        start_date_time: credential.startDateTime,
        end_date_time: credential.endDateTime,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  /** Whether any application has a password or key credential with this keyId (keyIds are unique, as in Graph). */
  async credentialExists(keyId: string): Promise<boolean> {
    const [password, key] = await Promise.all([
      this.db.selectFrom("password_credentials").select("key_id").where("key_id", "=", keyId).executeTakeFirst(),
      this.db.selectFrom("key_credentials").select("key_id").where("key_id", "=", keyId).executeTakeFirst(),
    ]);
    return password !== undefined || key !== undefined;
  }

  async removePassword(applicationId: string, keyId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("password_credentials")
      .where("application_id", "=", applicationId)
      .where("key_id", "=", keyId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async addKey(applicationId: string, credential: StoredKeyCredential): Promise<void> {
    await this.db
      .insertInto("key_credentials")
      .values({
        key_id: credential.keyId,
        application_id: applicationId,
        display_name: credential.displayName,
        certificate: credential.key,
        thumbprint_sha1: credential.thumbprintSha1,
        thumbprint_sha256: credential.thumbprintSha256,
        start_date_time: credential.startDateTime,
        end_date_time: credential.endDateTime,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  async removeKey(applicationId: string, keyId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("key_credentials")
      .where("application_id", "=", applicationId)
      .where("key_id", "=", keyId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function documentOf(app: ApplicationDocument): ApplicationDocument {
  return {
    description: app.description,
    notes: app.notes,
    signInAudience: app.signInAudience,
    identifierUris: app.identifierUris,
    appRoles: app.appRoles,
    api: app.api,
    requiredResourceAccess: app.requiredResourceAccess,
    tags: app.tags,
  };
}
