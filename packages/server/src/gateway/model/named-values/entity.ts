import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import { breaksPolicy, describePolicyScope, referencesBackends, referencesNamedValue } from "../policies/checker.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined } from "../checks.js";
import { GatewayNamedValueRepository, type StoredNamedValue } from "./repository.js";
import type { NamedValue, NamedValueInput } from "./types.js";
import { namedValueFrom } from "./validation.js";

const publicNamedValue = ({ storedValue: _value, ...namedValue }: StoredNamedValue): NamedValue => namedValue;

/** The named values of one transaction: secret values are sealed, and only `listValue` returns them. */
export class NamedValues extends EntityObject<GatewayNamedValueRepository> {
  static readonly reads = ["list", "get", "listValue"] as const;
  static readonly writes = ["put", "patch", "delete"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayNamedValueRepository);
  }

  async list(): Promise<NamedValue[]> {
    return (await this.repository.list()).map(publicNamedValue);
  }

  /** The named value with its value, or `value: null` when it is secret (read it with `listValue`). */
  async get(name: string): Promise<(NamedValue & { value: string | null }) | undefined> {
    const stored = await this.repository.get(name);
    return stored && { ...publicNamedValue(stored), value: stored.secret ? null : stored.storedValue };
  }

  private async require(name: string): Promise<StoredNamedValue> {
    const stored = await this.repository.get(name);
    if (!stored) throw new GatewayNotFoundError("NamedValue", name);
    return stored;
  }

  /** APIM's listValue: the value, secret or not. */
  async listValue(name: string): Promise<string> {
    return this.tx.secrets.namedValue(await this.require(name));
  }

  /** Every named value with its value unsealed: what policies are compiled with. */
  async withValues(): Promise<(NamedValue & { value: string })[]> {
    return (await this.repository.list()).map((nv) => ({
      ...publicNamedValue(nv),
      value: this.tx.secrets.namedValue(nv),
    }));
  }

  async put(name: string, input: NamedValueInput): Promise<{ namedValue: NamedValue; created: boolean }> {
    const existing = await this.repository.get(name);
    return { namedValue: await this.save(name, input, existing), created: existing === undefined };
  }

  async patch(name: string, patch: Partial<NamedValueInput>): Promise<NamedValue> {
    const existing = await this.require(name);
    const current = { ...publicNamedValue(existing), value: this.tx.secrets.namedValue(existing) };
    return this.save(name, { ...current, ...defined(patch) }, existing);
  }

  private async save(
    name: string,
    input: NamedValueInput,
    existing: StoredNamedValue | undefined,
  ): Promise<NamedValue> {
    const { value, ...namedValue } = namedValueFrom(name, input);
    const holder = await this.repository.findByDisplayName(namedValue.displayName);
    if (holder && holder.name !== name) {
      throw new GatewayConflictError(
        `The displayName '${namedValue.displayName}' is already used by named value '${holder.name}'.`,
      );
    }
    await this.repository.upsert({
      ...namedValue,
      storedValue: this.tx.secrets.storeNamedValue(name, value, namedValue.secret),
    });
    this.tx.policies.invalidate();
    if (existing) {
      // Documents that name a backend use its URL and credentials, which may refer to the named value too.
      const broken = await this.tx.policies.firstBroken(
        (xml) => referencesNamedValue(xml, existing.displayName) || referencesBackends(xml),
      );
      if (broken) throw breaksPolicy(`Named value '${name}'`, broken);
    }
    return namedValue;
  }

  /** Refused while a policy uses the named value (APIM: a referenced named value cannot be deleted). */
  async delete(name: string): Promise<boolean> {
    const existing = await this.repository.get(name);
    if (!existing) return false;
    const user = (await this.tx.policies.all()).find((p) => referencesNamedValue(p.xml, existing.displayName));
    if (user) {
      throw new GatewayConflictError(
        `Named value '${name}' is used by ${describePolicyScope(user.scope)} as {{${existing.displayName}}} and cannot be deleted.`,
      );
    }
    const deleted = await this.repository.delete(name);
    this.tx.policies.invalidate();
    // A backend entity a policy names may use it in its URL or credentials.
    const broken = await this.tx.policies.firstBroken(referencesBackends);
    if (broken) {
      throw new GatewayConflictError(
        `Named value '${name}' is used through a backend by ${describePolicyScope(broken.scope)} and cannot be deleted (${broken.error}).`,
      );
    }
    return deleted;
  }
}
