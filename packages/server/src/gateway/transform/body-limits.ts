/**
 * How much one body may hold once parsed (XML elements and attributes, JSON values), whatever its size in bytes (which
 * body-buffer.ts bounds): the parsed tree of a body costs memory and work per node, so a small body of tiny nodes is
 * bounded too. Far beyond real API payloads.
 */
export const MAX_BODY_NODES = 500_000;

/** How deeply JSON may nest: what reads a parsed body may recurse this deep. */
export const MAX_JSON_DEPTH = 128;

/**
 * Why a value JSON.parse gave is beyond these limits, or undefined when it is within them. Walked with a stack of its
 * own, so that a body nested 100,000 deep is measured, not a stack overflow.
 */
export function jsonBeyondLimits(value: unknown): string | undefined {
  const pending: [value: unknown, depth: number][] = [[value, 1]];
  let nodes = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (++nodes > MAX_BODY_NODES) return `The JSON body holds more than ${MAX_BODY_NODES} values`;
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_JSON_DEPTH) return `The JSON body is nested deeper than ${MAX_JSON_DEPTH}`;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, depth + 1]);
  }
  return undefined;
}
