import type { MasterKey } from "../crypto/master-key.js";
import type { Repositories } from "../store/store.js";
import type { GatewayConfiguration } from "./model.js";
import { GatewayReader } from "./registry-reader.js";
import { GatewaySecrets } from "./sealing.js";

/**
 * Everything the data plane compiles, keys and named values unsealed. Call it inside `store.readConsistent` so the
 * rows and the revision belong to one version.
 */
export function loadGatewayConfiguration(
  repos: Repositories,
  revision: number,
  masterKey: MasterKey,
): Promise<GatewayConfiguration> {
  return new GatewayReader(repos, new GatewaySecrets(masterKey)).configuration(revision);
}
