import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import { Agent } from "undici";

/**
 * TLS connect options that trust node's roots, NODE_EXTRA_CA_CERTS and `extraCa` (PEM), e.g. the local Gatehouse CA.
 * An explicit `ca` list replaces node's default store, NODE_EXTRA_CA_CERTS included, so that file is read here; and
 * one secure context serves every connection, rather than parsing ~150 root certificates per handshake.
 * Without extra certificates: undefined, node's default store as it is.
 */
export function trustingConnect(
  extraCa: readonly string[],
  onUnreadable?: (path: string, code: string | undefined) => void,
): { secureContext: SecureContext } | undefined {
  const ca = trustedCa(extraCa, onUnreadable);
  return ca && { secureContext: createSecureContext({ ca }) };
}

/** The authorities trustingConnect trusts, for a secure context that also holds a client certificate. */
export function trustedCa(
  extraCa: readonly string[],
  onUnreadable?: (path: string, code: string | undefined) => void,
): string[] | undefined {
  if (extraCa.length === 0) return undefined;
  const ca = [...rootCertificates, ...extraCa];
  const extraCaPath = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCaPath) {
    try {
      ca.push(readFileSync(extraCaPath, "utf8"));
    } catch (error) {
      onUnreadable?.(extraCaPath, (error as NodeJS.ErrnoException).code);
    }
  }
  return ca;
}

/** An undici agent trusting a CA file (a running server's local CA) besides the usual ones; undefined without one. */
export async function agentTrusting(caPath: string | undefined): Promise<Agent | undefined> {
  if (!caPath) return undefined;
  return new Agent({ connect: trustingConnect([await readFile(caPath, "utf8")]) });
}
