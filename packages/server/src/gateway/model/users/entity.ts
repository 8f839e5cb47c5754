import type { DeveloperAccount, DeveloperAccounts } from "../../../developer/accounts.js";
import { defined } from "../checks.js";
import { EntityObject } from "../entity-object.js";
import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import type { GatewayTransaction } from "../transaction.js";
import { GatewayUserRepository, type StoredUser } from "./repository.js";
import { ADMINISTRATOR_USER, type User, type UserFields, type UserInput } from "./types.js";
import { checkPasswordHash, userFrom, userInputOf } from "./validation.js";

const fieldsOf = ({ passwordHash: _hash, ...user }: StoredUser): UserFields => user;

const accountOf = (user: StoredUser): DeveloperAccount => ({
  id: user.name,
  email: user.email,
  state: user.state,
  passwordHash: user.passwordHash ?? undefined,
});

/**
 * The users of one transaction. Password hashes never leave through `list`/`get`; the developer API's sign-in reads
 * them through the DeveloperAccounts methods (`findByEmail`, `findById`, `setPasswordHash`), so the registry's
 * `gateway.users` is the store of developer accounts.
 */
export class Users extends EntityObject<GatewayUserRepository> implements DeveloperAccounts {
  static readonly reads = ["list", "get", "findByEmail", "findById"] as const;
  static readonly writes = ["put", "patch", "delete", "setPasswordHash"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayUserRepository);
  }

  async list(): Promise<User[]> {
    return this.withGroups((await this.repository.list()).map(fieldsOf));
  }

  async get(name: string): Promise<User | undefined> {
    const stored = await this.repository.get(name);
    return stored && (await this.withGroups([fieldsOf(stored)]))[0];
  }

  async require(name: string): Promise<User> {
    const user = await this.get(name);
    if (!user) throw new GatewayNotFoundError("User", name);
    return user;
  }

  async findByEmail(email: string): Promise<DeveloperAccount | undefined> {
    const stored = await this.repository.findByEmail(email);
    return stored && accountOf(stored);
  }

  async findById(id: string): Promise<DeveloperAccount | undefined> {
    const stored = await this.repository.get(id);
    return stored && accountOf(stored);
  }

  async put(name: string, input: UserInput): Promise<{ user: User; created: boolean }> {
    const existing = await this.repository.get(name);
    return { user: await this.save(name, input, existing), created: existing === undefined };
  }

  async patch(name: string, patch: Partial<UserInput>): Promise<User> {
    const existing = await this.requireStored(name);
    return this.save(name, { ...userInputOf(fieldsOf(existing)), ...defined(patch) }, existing);
  }

  /**
   * Deletes the user with their group memberships and subscriptions (a subscription cannot outlive its owner, so
   * `deleteSubscriptions: false` is refused for a user who has some); the built-in administrator stays.
   */
  async delete(name: string, options: { deleteSubscriptions?: boolean | undefined } = {}): Promise<boolean> {
    if (name === ADMINISTRATOR_USER) {
      throw new GatewayConflictError("The built-in administrator (user '1') cannot be deleted.");
    }
    if (!(await this.repository.get(name))) return false;
    const owned = (await this.tx.subscriptions.ownedBy(name)).map((s) => s.name);
    if (options.deleteSubscriptions === false && owned.length > 0) {
      throw new GatewayConflictError(
        `User '${name}' has subscriptions (${owned.join(", ")}): delete them first, or delete the user with deleteSubscriptions=true.`,
      );
    }
    await this.repository.revokeDeveloperAccess(name);
    return this.repository.delete(name);
  }

  /** Sign-in's rehash and password setup (which revokes what it must itself); `activate` ends a pending state. */
  async setPasswordHash(id: string, passwordHash: string, options: { activate: boolean }): Promise<void> {
    const existing = await this.requireStored(id);
    const state = options.activate && existing.state === "pending" ? "active" : existing.state;
    await this.repository.upsert({ ...existing, state, passwordHash: checkPasswordHash(passwordHash) });
  }

  private async requireStored(name: string): Promise<StoredUser> {
    const stored = await this.repository.get(name);
    if (!stored) throw new GatewayNotFoundError("User", name);
    return stored;
  }

  private async withGroups(users: UserFields[]): Promise<User[]> {
    const groups = await this.tx.groups.namesByUser(users);
    return users.map((user) => ({ ...user, groups: groups.get(user.name) ?? [] }));
  }

  private async save(name: string, input: UserInput, existing: StoredUser | undefined): Promise<User> {
    const user = userFrom(name, input, existing?.registrationDate ?? new Date().toISOString());
    const holder = await this.repository.findByEmail(user.email);
    if (holder && holder.name !== name) {
      throw new GatewayConflictError(`A user with email '${user.email}' already exists.`);
    }
    const passwordHash =
      input.passwordHash === undefined ? (existing?.passwordHash ?? null) : checkPasswordHash(input.passwordHash);
    await this.repository.upsert({ ...user, passwordHash });
    // A new password, a block or a deletion ends what the old state allowed: sessions, and links not yet used.
    if (
      existing &&
      (passwordHash !== existing.passwordHash || (user.state !== existing.state && user.state !== "active"))
    ) {
      await this.repository.revokeDeveloperAccess(name);
    }
    return (await this.withGroups([user]))[0] as User;
  }
}
