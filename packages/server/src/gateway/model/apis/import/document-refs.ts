/**
 * A parsed OpenAPI/Swagger document checked once, in one pass over its values: within the node and depth limits, no
 * cycle (YAML aliases can make one), and every `$ref` an internal JSON pointer that resolves. References are never
 * inlined — a document of references to references would expand exponentially — but followed where a reader needs
 * the object behind one, in constant time: each `$ref` string is resolved once, chains of references to references
 * are followed once and cycles among them refused.
 */
import { MAX_DOCUMENT_DEPTH, MAX_DOCUMENT_NODES } from "./document-limits.js";
import { DocumentParseError, DocumentTooLargeError, quoted, UnsupportedConstructError } from "./import-errors.js";
import { isObject } from "./json-value.js";

/** Keys whose values are literal data, where a `$ref` key is data too: examples, defaults, extensions. */
const LITERAL_KEYS = new Set(["example", "default", "enum", "const"]);
export const isLiteralKey = (key: string): boolean => LITERAL_KEYS.has(key) || key.startsWith("x-");

export class DocumentRefs {
  /** `$ref` string → the value it finally stands for (after following references to references). */
  private readonly targets = new Map<string, unknown>();

  constructor(private readonly root: unknown) {
    for (const ref of scan(root)) this.resolve(ref);
  }

  /** The value itself, or what its `$ref` stands for. */
  deref(value: unknown): unknown {
    if (!isObject(value) || typeof value.$ref !== "string") return value;
    return this.resolve(value.$ref);
  }

  private resolve(ref: string): unknown {
    if (this.targets.has(ref)) return this.targets.get(ref);
    const chain: string[] = [];
    const seen = new Set<string>();
    let current = ref;
    let value: unknown;
    for (;;) {
      if (seen.has(current)) throw new DocumentParseError(`The $ref ${quoted(current)} refers to itself.`);
      seen.add(current);
      chain.push(current);
      value = pointer(this.root, current);
      if (!isObject(value) || typeof value.$ref !== "string") break;
      current = value.$ref;
      if (this.targets.has(current)) {
        value = this.targets.get(current);
        break;
      }
    }
    for (const link of chain) this.targets.set(link, value);
    return value;
  }
}

/** Every `$ref` of the document, checked against the limits on the way. */
function scan(root: unknown): string[] {
  const refs: string[] = [];
  let nodes = 0;
  // Objects on the path from the root to the value being visited: meeting one again is a cycle.
  const onPath = new Set<object>();
  const pending: [value: unknown, depth: number, leaving: boolean][] = [[root, 1, false]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth, leaving] = next;
    if (typeof value !== "object" || value === null) {
      if (++nodes > MAX_DOCUMENT_NODES) throw tooMany();
      continue;
    }
    if (leaving) {
      onPath.delete(value);
      continue;
    }
    if (++nodes > MAX_DOCUMENT_NODES) throw tooMany();
    if (depth > MAX_DOCUMENT_DEPTH) {
      throw new DocumentTooLargeError(`Parsing error(s): The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels.`);
    }
    if (onPath.has(value)) throw new DocumentParseError("The document contains itself (a recursive YAML alias).");
    onPath.add(value);
    pending.push([value, depth, true]);
    if (Array.isArray(value)) {
      for (const item of value) pending.push([item, depth + 1, false]);
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") refs.push(child);
      else if (!isLiteralKey(key)) pending.push([child, depth + 1, false]);
    }
  }
  return refs;
}

const tooMany = () =>
  new DocumentTooLargeError(`Parsing error(s): The document holds more than ${MAX_DOCUMENT_NODES} values.`);

/** The keys a local `#/a/b~1c` reference walks, decoded; undefined when it is no local JSON pointer. */
export function refSegments(ref: string): string[] | undefined {
  if (!ref.startsWith("#/") && ref !== "#") return undefined;
  let path: string;
  try {
    path = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  return path === ""
    ? []
    : path
        .slice(1)
        .split("/")
        .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The value a local reference names. */
function pointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) {
    throw new UnsupportedConstructError(
      `The $ref ${quoted(ref)} points to another file: $ref pointers can't reference external files. ` +
        "Merge the referenced definitions into the document.",
    );
  }
  const segments = refSegments(ref);
  if (segments === undefined) {
    throw new UnsupportedConstructError(
      `The $ref ${quoted(ref)} is not a JSON pointer into the document: anchors are not supported.`,
    );
  }
  let value = root;
  for (const key of segments) {
    const found =
      Array.isArray(value) && /^(0|[1-9]\d*)$/.test(key)
        ? value[Number(key)]
        : isObject(value) && Object.hasOwn(value, key)
          ? value[key]
          : undefined;
    if (found === undefined) throw new DocumentParseError(`The $ref ${quoted(ref)} does not resolve in the document.`);
    value = found;
  }
  return value;
}
