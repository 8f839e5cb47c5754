/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1) belong to one connection, not to the message: the gateway never copies
 * them from one message to another, in either direction. `Expect` is answered by the gateway's own listener (100
 * Continue) and `Host` names the gateway, so neither travels on either.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "host",
]);

/** A hop-by-hop field by its name alone (lower case); `Connection` may name more in a given message. */
export const isHopByHop = (lowerName: string): boolean => HOP_BY_HOP.has(lowerName) || lowerName.startsWith("proxy-");

/** The lower-case field names `Connection` lists (comma-separated tokens, possibly over several lines). */
function addConnectionTokens(value: unknown, tokens: Set<string>): void {
  const lines: unknown[] = Array.isArray(value) ? value : [value];
  for (const line of lines) {
    if (typeof line !== "string") continue;
    for (const token of line.split(",")) {
      const name = token.trim().toLowerCase();
      if (name) tokens.add(name);
    }
  }
}

/** `headers` (names in any spelling) without hop-by-hop fields, including those its `Connection` field names. */
export function endToEnd<V>(headers: Readonly<Record<string, V>>): Record<string, V> {
  const entries = Object.entries(headers);
  const named = new Set<string>();
  for (const [name, value] of entries) if (name.toLowerCase() === "connection") addConnectionTokens(value, named);
  // fromEntries, not assignment: a field named "__proto__" stays a field.
  return Object.fromEntries(
    entries.filter(([name]) => {
      const lower = name.toLowerCase();
      return !isHopByHop(lower) && !named.has(lower);
    }),
  );
}
