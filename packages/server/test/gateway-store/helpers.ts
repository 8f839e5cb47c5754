import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { masterKeyFromBytes, type MasterKey } from "../../src/crypto/master-key.js";
import { Store } from "../../src/store/store.js";
import { GatewayRegistry } from "../../src/gateway/model/registry.js";
import { KeySources } from "../../src/gateway/jwt/key-sources.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import type { DatabaseTarget } from "../helpers/databases.js";

export interface GatewayFixture {
  store: Store;
  masterKey: MasterKey;
  gateway: GatewayRegistry;
  close(): Promise<void>;
}

/** A fresh store (its own SQLite file or PostgreSQL schema) with a gateway registry over it. */
export async function openGateway(target: DatabaseTarget): Promise<GatewayFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), `gatehouse-gateway-${target.name}-`));
  const store = await Store.open(target.url(), dataDir);
  const masterKey = masterKeyFromBytes(randomBytes(32));
  // Compiling documents never fetches keys, so these sources stay idle.
  const gateway = new GatewayRegistry(store, masterKey, {
    keySources: new KeySources(),
    azureAdAuthority: "",
    state: new MemoryState(),
  });
  return {
    store,
    masterKey,
    gateway,
    async close() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A document with one statement in inbound, inheriting everything else. */
export const inboundPolicy = (statement: string): string =>
  `<policies>
  <inbound>
    <base />
    ${statement}
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>`;
