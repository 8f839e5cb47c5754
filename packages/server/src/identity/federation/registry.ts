import { randomUUID } from "node:crypto";
import type { Repositories } from "../../store/store.js";
import type { FederatedCredentialOwner, StoredFederatedCredential } from "../model.js";
import { invalid, notFound } from "../registry-errors.js";
import {
  checkAmong,
  checkName,
  federatedFields,
  type FederatedCredentialFields,
  type FederatedCredentialInput,
} from "./credential-rules.js";

type Write = <T>(fn: (repos: Repositories) => Promise<T>) => Promise<T>;

/**
 * Writes of federated identity credentials, validated by Graph's rules, each in one store transaction (through the
 * identity registry, so the running server reloads its directory after each). An owner is an application or a
 * user-assigned managed identity; Entra has none on system-assigned identities.
 */
export class FederatedCredentials {
  constructor(private readonly write: Write) {}

  async add(owner: FederatedCredentialOwner, input: FederatedCredentialInput): Promise<StoredFederatedCredential> {
    const fields = { id: randomUUID(), name: checkName(input.name), ...federatedFields(input) };
    return this.write(async (repos) => {
      await requireOwner(repos, owner);
      const credential = { ...fields, owner };
      checkAmong(await repos.federatedCredentials.list(owner), credential);
      await repos.federatedCredentials.insert(credential);
      return credential;
    });
  }

  /** Changes issuer, subject, audiences or description; the name cannot change, as in Graph. */
  async update(
    owner: FederatedCredentialOwner,
    id: string,
    patch: Partial<FederatedCredentialFields>,
  ): Promise<StoredFederatedCredential> {
    return this.write(async (repos) => {
      await requireOwner(repos, owner);
      const existing = await repos.federatedCredentials.list(owner);
      const current = existing.find((c) => c.id === id);
      if (!current) throw notFound("Federated identity credential", id);
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const next = { ...current, ...federatedFields({ ...current, ...defined }) };
      checkAmong(existing, next);
      await repos.federatedCredentials.update(next);
      return next;
    });
  }

  async remove(owner: FederatedCredentialOwner, id: string): Promise<void> {
    await this.write(async (repos) => {
      await requireOwner(repos, owner);
      const owned = (await repos.federatedCredentials.list(owner)).some((c) => c.id === id);
      if (!owned || !(await repos.federatedCredentials.delete(id))) throw notFound("Federated identity credential", id);
    });
  }
}

async function requireOwner(repos: Repositories, owner: FederatedCredentialOwner): Promise<void> {
  if (owner.kind === "application") {
    if (!(await repos.applications.get(owner.id))) throw notFound("Application", owner.id);
    return;
  }
  const identity = await repos.managedIdentities.get(owner.id);
  if (!identity) throw notFound("Managed identity", owner.id);
  if (identity.kind !== "UserAssigned") {
    throw invalid("Federated identity credentials can be added to user-assigned managed identities only.");
  }
}
