/**
 * Federated identity credentials in configuration files, for both of their owners (applications and user-assigned
 * identities): matched by name when applied again, added when absent, updated when the file says otherwise.
 */
import { z } from "zod";
import { ConfigError } from "../../config/errors.js";
import type { FederatedCredentialOwner, StoredFederatedCredential } from "../model.js";
import { RegistryError } from "../registry-errors.js";
import type { Registry } from "../registry.js";
import { TOKEN_EXCHANGE_AUDIENCE } from "./credential-rules.js";

/** Graph's federatedIdentityCredential (ARM's properties for a user-assigned identity). */
export const federatedIdentityCredentialConfig = z.strictObject({
  name: z.string().min(1),
  issuer: z.string().min(1),
  subject: z.string().min(1),
  /** Default `[api://AzureADTokenExchange]`. */
  audiences: z.array(z.string().min(1)).optional(),
  description: z.string().optional(),
});

export type FederatedIdentityCredentialConfig = z.infer<typeof federatedIdentityCredentialConfig>;

/** Applies the owner's credentials of the file; `label` names the owner in changes and errors. */
export async function reconcileFederatedCredentials(
  registry: Registry,
  owner: FederatedCredentialOwner,
  wantedList: readonly FederatedIdentityCredentialConfig[] | undefined,
  label: string,
  changes: string[],
): Promise<void> {
  if (wantedList === undefined) return;
  const current = await registry.read((repos) => repos.federatedCredentials.list(owner));
  for (const wanted of wantedList) {
    const fields = {
      issuer: wanted.issuer,
      subject: wanted.subject,
      audiences: wanted.audiences ?? [TOKEN_EXCHANGE_AUDIENCE],
      description: wanted.description ?? null,
    };
    const existing = current.find((c) => c.name.toLowerCase() === wanted.name.toLowerCase());
    try {
      if (!existing) {
        await registry.federatedCredentials.add(owner, { name: wanted.name, ...fields });
        changes.push(`added federated credential '${wanted.name}' of ${label}`);
      } else if (
        JSON.stringify([existing.issuer, existing.subject, existing.audiences, existing.description]) !==
        JSON.stringify([fields.issuer, fields.subject, fields.audiences, fields.description])
      ) {
        await registry.federatedCredentials.update(owner, existing.id, fields);
        changes.push(`updated federated credential '${wanted.name}' of ${label}`);
      }
    } catch (error) {
      if (error instanceof RegistryError) {
        throw new ConfigError(`${label}: federated credential '${wanted.name}': ${error.message}`);
      }
      throw error;
    }
  }
}

/** The owner's `federatedIdentityCredentials:` member for an export: absent when it has none. */
export function exportFederatedCredentials(
  all: readonly StoredFederatedCredential[],
  owner: FederatedCredentialOwner,
): { federatedIdentityCredentials?: FederatedIdentityCredentialConfig[] } {
  const own = all.filter((c) => c.owner.kind === owner.kind && c.owner.id === owner.id);
  if (own.length === 0) return {};
  return {
    federatedIdentityCredentials: own.map((c) => ({
      name: c.name,
      issuer: c.issuer,
      subject: c.subject,
      audiences: c.audiences,
      ...(c.description !== null ? { description: c.description } : {}),
    })),
  };
}
