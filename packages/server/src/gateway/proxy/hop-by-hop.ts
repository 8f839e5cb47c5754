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

/**
 * `headers` (names in any spelling) without hop-by-hop fields, including those its `Connection` field names: a new
 * record, or `headers` itself when it has none (most requests), so the common case allocates nothing.
 */
export function endToEnd<V>(headers: Record<string, V>): Record<string, V> {
  const names = Object.keys(headers);
  const named = new Set<string>();
  let hopByHop = false;
  for (const name of names) {
    const lower = name.toLowerCase();
    if (lower === "connection") addConnectionTokens(headers[name], named);
    if (isHopByHop(lower)) hopByHop = true;
  }
  if (!hopByHop) return headers;
  // fromEntries, not assignment: a field named "__proto__" stays a field.
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => {
      const lower = name.toLowerCase();
      return !isHopByHop(lower) && !named.has(lower);
    }),
  );
}
