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
  const lower = names.map((name) => name.toLowerCase());
  let named: Set<string> | undefined;
  let hopByHop = false;
  for (let i = 0; i < names.length; i++) {
    const name = lower[i] as string;
    if (name === "connection") addConnectionTokens(headers[names[i] as string], (named ??= new Set()));
    if (isHopByHop(name)) hopByHop = true;
  }
  if (!hopByHop) return headers;
  // No prototype: a field named "__proto__" stays a field.
  const kept = Object.create(null) as Record<string, V>;
  for (let i = 0; i < names.length; i++) {
    const name = lower[i] as string;
    if (!isHopByHop(name) && !named?.has(name)) kept[names[i] as string] = headers[names[i] as string] as V;
  }
  return kept;
}
