import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { parentPort } from "node:worker_threads";

/** Messages a signer worker understands; the private key arrives once per key change, never per request. */
export type SignerRequest =
  | { type: "key"; kid: string; privateKeyPem: string }
  | { type: "drop"; kid: string }
  | { type: "sign"; id: number; kid: string; header: object; payload: object };

export type SignerResponse = { id: number; token: string } | { id: number; error: string };

const keys = new Map<string, KeyObject>();
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

parentPort?.on("message", (message: SignerRequest) => {
  if (message.type === "key") {
    keys.set(message.kid, createPrivateKey(message.privateKeyPem));
    return;
  }
  if (message.type === "drop") {
    keys.delete(message.kid);
    return;
  }
  const key = keys.get(message.kid);
  if (!key) {
    parentPort?.postMessage({ id: message.id, error: `signing key ${message.kid} is not loaded` } as SignerResponse);
    return;
  }
  const input = `${b64(message.header)}.${b64(message.payload)}`;
  const signature = sign("sha256", Buffer.from(input), key).toString("base64url");
  parentPort?.postMessage({ id: message.id, token: `${input}.${signature}` } as SignerResponse);
});
