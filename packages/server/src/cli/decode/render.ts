/** The text `gatehouse decode` prints: header and claims as aligned columns. */

import type { DecodedToken } from "./token.js";
import { duration, explainClaims, explainHeader, type ClaimLine } from "./explain.js";

export interface RenderOptions {
  now?: Date;
  color?: boolean;
}

// Wide enough for a time with its marker ("… (…Z, in 59 minutes) not yet valid"); longer values (v2 iss, scp,
// groups, x5c) would push every meaning off-screen, so they get their meaning on the next line instead.
const MAX_VALUE_COLUMN = 64;
const INDENT = "  ";
const GAP = "  ";

/** The full text `gatehouse decode` prints (no trailing newline). */
export function renderExplanation(token: DecodedToken, opts: RenderOptions = {}): string {
  const header = explainHeader(token.header);
  const claims = explainClaims(token.claims, opts.now);
  const bold = opts.color === true ? (s: string) => `\u001b[1m${s}\u001b[22m` : (s: string) => s;

  // One set of column widths for both sections, so the whole output lines up.
  const all = [...header, ...claims];
  const nameWidth = Math.max(0, ...all.map((l) => l.name.length));
  // Sized by the widest value that fits, so one over-long value does not widen the column for everything else.
  const valueWidth = Math.max(0, ...all.map((l) => l.value.length).filter((n) => n <= MAX_VALUE_COLUMN));

  const rows = (lines: ClaimLine[]): string[] => {
    if (lines.length === 0) return [`${INDENT}(empty)`];
    return lines.map((l) => {
      const name = bold(l.name) + " ".repeat(nameWidth - l.name.length);
      if (l.value.length <= valueWidth) return `${INDENT}${name}${GAP}${l.value.padEnd(valueWidth)}${GAP}${l.meaning}`;
      const meaningColumn = " ".repeat(INDENT.length + nameWidth + GAP.length + valueWidth + GAP.length);
      return `${INDENT}${name}${GAP}${l.value}\n${meaningColumn}${l.meaning}`;
    });
  };

  return [
    bold("Header"),
    ...rows(header),
    "",
    bold("Claims"),
    ...rows(claims),
    "",
    `${lifetime(token.claims)}; signature not verified`,
  ].join("\n");
}

function lifetime(claims: Record<string, unknown>): string {
  const { iat, exp } = claims;
  if (typeof iat !== "number" || typeof exp !== "number" || !Number.isFinite(iat) || !Number.isFinite(exp)) {
    return "Lifetime: unknown (needs numeric iat and exp)";
  }
  const seconds = exp - iat;
  if (seconds < 0) return `Lifetime: invalid, exp is ${duration(-seconds)} before iat`;
  return `Lifetime: ${duration(seconds)} (exp - iat)`;
}
