import type { HostHeader, IdentityHost, ManagedIdentity } from "./model.js";

export interface HostDirectoryInput {
  identities: ManagedIdentity[];
  hosts: IdentityHost[];
  headers: HostHeader[];
}

/** A host with its identities resolved. */
export interface HostEntry {
  host: IdentityHost;
  systemAssigned: ManagedIdentity | undefined;
  userAssigned: ManagedIdentity[];
}

/** How a request picks one of its host's identities (App Service's and IMDS's query parameters). */
export type IdentitySelector = { by: "system" } | { by: "clientId" | "principalId" | "resourceId"; value: string };

/** The part of the directory snapshot the managed-identity endpoints answer from, without a database query. */
export class HostDirectory {
  private readonly byHeaderHash = new Map<string, HostEntry>();
  private readonly imds: HostEntry | undefined;

  constructor(input: HostDirectoryInput) {
    const identities = new Map(input.identities.map((i) => [i.principalId, i]));
    const entries = new Map<string, HostEntry>();
    for (const host of input.hosts) {
      entries.set(host.name, {
        host,
        systemAssigned: host.systemAssigned === null ? undefined : identities.get(host.systemAssigned),
        userAssigned: host.userAssigned.flatMap((id) => identities.get(id) ?? []),
      });
    }
    for (const header of input.headers) {
      const entry = entries.get(header.host);
      if (entry) this.byHeaderHash.set(header.hash, entry);
    }
    this.imds = [...entries.values()].find((e) => e.host.imds);
  }

  /**
   * The host whose header value hashes to `hash` (the keyed hash of what the caller sent): the hash, not the value,
   * is the key, so the lookup reveals nothing about stored values through its timing.
   */
  hostByHeaderHash(hash: string): HostEntry | undefined {
    return this.byHeaderHash.get(hash);
  }

  /** The host marked as this machine, which the IMDS-style endpoint serves. */
  imdsHost(): HostEntry | undefined {
    return this.imds;
  }
}

/** The identity a request selects on its host; undefined when the host has no such identity. */
export function selectIdentity(entry: HostEntry, selector: IdentitySelector): ManagedIdentity | undefined {
  if (selector.by === "system") {
    // Without a selector App Service uses the system-assigned identity; a host with only one user-assigned
    // identity and none of its own uses that one, as IMDS does on a VM with a single identity.
    if (entry.systemAssigned) return entry.systemAssigned;
    return entry.userAssigned.length === 1 ? entry.userAssigned[0] : undefined;
  }
  const wanted = selector.value.toLowerCase();
  const candidates = [...(entry.systemAssigned ? [entry.systemAssigned] : []), ...entry.userAssigned];
  return candidates.find((identity) => {
    switch (selector.by) {
      case "clientId":
        return identity.clientId === wanted;
      case "principalId":
        return identity.principalId === wanted;
      case "resourceId":
        return identity.kind === "UserAssigned" && identity.resourceId.toLowerCase() === wanted;
    }
  });
}
