import { BACKEND_BODY } from "./node-targets.js";

export interface TokenCase {
  label: string;
  token: string;
}

export interface VerifiedTarget {
  label: string;
  url: string;
  /** Whether the target checks tokens; those that do must refuse every bad one. */
  checksTokens: boolean;
  /** Sent with every request besides the token. */
  headers?: Readonly<Record<string, string>>;
}

/** The comparison is void: a target does not do the work it is compared on. */
export class VoidComparisonError extends Error {
  override name = "VoidComparisonError";
}

/**
 * Shows each target does what it is measured doing before any load: the valid token gets 200 with the backend's
 * body; a token-checking target refuses a missing token and every bad one with 401 or 403. Returns one line per
 * check for the report; throws VoidComparisonError listing every failure.
 */
export async function verifyTargets(targets: VerifiedTarget[], valid: string, bad: TokenCase[]): Promise<string[]> {
  const lines: string[] = [];
  const failures: string[] = [];
  for (const t of targets) {
    const ok = await get(t, valid);
    const accepted = ok.status === 200 && ok.body === BACKEND_BODY;
    (accepted ? lines : failures).push(
      `${t.label}: valid token → ${ok.status}${accepted ? "" : ` (expected 200 with the backend's body): ${ok.body.slice(0, 200)}`}`,
    );
    if (!t.checksTokens) continue;
    for (const c of [{ label: "no token", token: undefined }, ...bad]) {
      const res = await get(t, c.token);
      const refused = res.status === 401 || res.status === 403;
      (refused ? lines : failures).push(
        `${t.label}: ${c.label} → ${res.status}${refused ? "" : " (expected 401 or 403)"}`,
      );
    }
  }
  if (failures.length > 0) {
    throw new VoidComparisonError(
      `the comparison is void; these targets do not do the work they would be compared on:\n  ${failures.join("\n  ")}`,
    );
  }
  return lines;
}

async function get(t: VerifiedTarget, token: string | undefined): Promise<{ status: number; body: string }> {
  const res = await fetch(t.url, {
    headers: { ...t.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}
