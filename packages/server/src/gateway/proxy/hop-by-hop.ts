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
    // Most messages say only `keep-alive` or `close`: no split for one token.
    for (const token of line.includes(",") ? line.split(",") : [line]) {
      const name = token.trim().toLowerCase();
      if (name && !isHopByHop(name)) tokens.add(name);
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
  const kept: Record<string, V> = {};
  for (let i = 0; i < names.length; i++) {
    const name = lower[i] as string;
    if (!isHopByHop(name) && !named?.has(name)) putField(kept, names[i] as string, headers[names[i] as string] as V);
  }
  return kept;
}

/**
 * `record[name] = value` for a header record that must stay an ordinary object (a null-prototype one is a slow
 * dictionary in V8, which every later reader, undici and HeaderMap, pays for): a field named `__proto__` is defined
 * as an own property instead of setting the prototype.
 */
export function putField<V>(record: Record<string, V>, name: string, value: V): void {
  if (name === "__proto__")
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  else record[name] = value;
}
