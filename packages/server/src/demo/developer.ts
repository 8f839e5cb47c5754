import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { readSealedFile, writeSealedFile } from "../crypto/sealed-file.js";
import type { MasterKey } from "../crypto/master-key.js";
import { addClientSecret } from "../gateway/model/client-applications/registration.js";
import type { GatewayRegistry } from "../gateway/model/registry.js";
import { DEMO_GATEWAY } from "./gateway.js";

const PASSWORD_FILE = "demo-developer.json";
const PASSWORD_AAD = "demo-developer-password";
const SECRET_FILE = "demo-application.json";
const SECRET_AAD = "demo-application-secret";
/** A secret closer to its end than this is replaced at start, so the printed commands keep working. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * The demo developer's password: generated on first start and kept sealed in the data folder, so every start can
 * print a sign-in that works while the store holds only its scrypt hash.
 */
export async function demoDeveloperPassword(dataDir: string, masterKey: MasterKey): Promise<string> {
  const path = join(dataDir, PASSWORD_FILE);
  if (await exists(path)) return (await readSealedFile<{ user: string }>(path, masterKey, PASSWORD_AAD)).secret;
  const password = randomBytes(18).toString("base64url");
  await writeSealedFile(path, masterKey, PASSWORD_AAD, { user: DEMO_GATEWAY.developer }, password);
  return password;
}

interface SecretFile {
  clientId: string;
  expiresAt: string;
}

/**
 * A client secret of the demo client application. listSecrets makes a new secret each time (shown once), so the one
 * made at first start is kept sealed and reused while its registration is the same and it has a week left.
 */
export async function demoApplicationSecret(
  dataDir: string,
  masterKey: MasterKey,
  gateway: GatewayRegistry,
): Promise<{ clientId: string; secret: string }> {
  const path = join(dataDir, SECRET_FILE);
  const app = await gateway.clientApplications.get(DEMO_GATEWAY.clientApplication);
  const clientId = app?.entra?.appId;
  if (clientId !== undefined && (await exists(path))) {
    const saved = await readSealedFile<SecretFile>(path, masterKey, SECRET_AAD);
    if (saved.clientId === clientId && Date.parse(saved.expiresAt) - Date.now() > RENEW_BEFORE_MS) {
      return { clientId, secret: saved.secret };
    }
  }
  const { secret, expiresAt } = await addClientSecret(gateway, DEMO_GATEWAY.clientApplication);
  const registered = (await gateway.clientApplications.get(DEMO_GATEWAY.clientApplication))?.entra?.appId as string;
  await writeSealedFile<SecretFile>(path, masterKey, SECRET_AAD, { clientId: registered, expiresAt }, secret);
  return { clientId: registered, secret };
}
