import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { MasterKey } from "../../crypto/master-key.js";
import { readSealedFile, writeSealedFile } from "../../crypto/sealed-file.js";

/** In the data folder: who the gateway's managed identity is, and its host's identity header sealed with the master key. */
export const GATEWAY_IDENTITY_FILE = "gateway-identity.json";
const AAD = "gateway-identity-header";

/** The gateway's system-assigned managed identity, as users need it to grant it roles. */
export interface GatewayIdentity {
  /** The identity host's name in the identity service. */
  host: string;
  /** The host's ARM resource id, API Management's: the token's `xms_mirid`. */
  resourceId: string;
  /** The application tenant, where the identity lives. */
  tenantId: string;
  /** Its service principal's object id: what role assignments name (`principalId`). */
  principalId: string;
  /** Its appId: the token's `appid`/`azp`. */
  clientId: string;
}

export function writeGatewayIdentity(
  dataDir: string,
  masterKey: MasterKey,
  identity: GatewayIdentity,
  header: string,
): Promise<void> {
  return writeSealedFile(join(dataDir, GATEWAY_IDENTITY_FILE), masterKey, AAD, identity, header);
}

/** The identity and its header, or undefined when the gateway has none yet (the file is written at start). */
export async function readGatewayIdentity(
  dataDir: string,
  masterKey: MasterKey,
): Promise<(GatewayIdentity & { header: string }) | undefined> {
  const path = join(dataDir, GATEWAY_IDENTITY_FILE);
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) return undefined;
  const { secret, ...identity } = await readSealedFile<GatewayIdentity>(path, masterKey, AAD);
  return { ...identity, header: secret };
}
