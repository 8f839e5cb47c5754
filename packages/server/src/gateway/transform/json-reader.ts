/**
 * A JSON reader that keeps what JSON.parse loses and json-to-xml must write as it was sent: numbers as their text
 * (`1.50`, 20-digit ids) and properties in order, repeated names included. Nesting depth is bounded.
 */
import { MAX_BODY_NODES, MAX_JSON_DEPTH } from "./body-limits.js";

export type JsonNode =
  | { readonly kind: "object"; readonly properties: readonly (readonly [string, JsonNode])[] }
  | { readonly kind: "array"; readonly items: readonly JsonNode[] }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "null" };

/** Not JSON: `offset` is where reading stopped. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

export function readJson(text: string): JsonNode {
  const reader = new Reader(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const value = reader.value(0);
  reader.space();
  if (!reader.done()) throw reader.error("Unexpected content after the JSON value");
  return value;
}

class Reader {
  private pos = 0;
  private nodes = 0;

  constructor(private readonly src: string) {}

  done(): boolean {
    return this.pos >= this.src.length;
  }

  space(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.src);
    this.pos = WHITESPACE.lastIndex;
  }

  error(message: string): JsonSyntaxError {
    return new JsonSyntaxError(message, this.pos);
  }

  value(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) throw this.error(`JSON nested deeper than ${MAX_JSON_DEPTH}`);
    if (++this.nodes > MAX_BODY_NODES) throw this.error(`JSON holding more than ${MAX_BODY_NODES} values`);
    this.space();
    const c = this.src[this.pos];
    switch (c) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return { kind: "string", value: this.string() };
      case "t":
        return this.literal("true", { kind: "boolean", value: true });
      case "f":
        return this.literal("false", { kind: "boolean", value: false });
      case "n":
        return this.literal("null", { kind: "null" });
    }
    NUMBER.lastIndex = this.pos;
    const number = NUMBER.exec(this.src);
    if (!number) throw this.error(c === undefined ? "Unexpected end of JSON" : `Unexpected character '${c}'`);
    this.pos = NUMBER.lastIndex;
    return { kind: "number", text: number[0] };
  }

  private literal(word: string, node: JsonNode): JsonNode {
    if (!this.src.startsWith(word, this.pos)) throw this.error("Unexpected character");
    this.pos += word.length;
    return node;
  }

  private object(depth: number): JsonNode {
    this.pos++;
    const properties: [string, JsonNode][] = [];
    this.space();
    if (this.src[this.pos] === "}") {
      this.pos++;
      return { kind: "object", properties };
    }
    for (;;) {
      this.space();
      if (this.src[this.pos] !== '"') throw this.error("Expected a property name");
      const name = this.string();
      this.space();
      if (this.src[this.pos] !== ":") throw this.error("Expected ':'");
      this.pos++;
      properties.push([name, this.value(depth + 1)]);
      this.space();
      const next = this.src[this.pos++];
      if (next === "}") return { kind: "object", properties };
      if (next !== ",") throw this.error("Expected ',' or '}'");
    }
  }

  private array(depth: number): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.space();
    if (this.src[this.pos] === "]") {
      this.pos++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.space();
      const next = this.src[this.pos++];
      if (next === "]") return { kind: "array", items };
      if (next !== ",") throw this.error("Expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    let end = start + 1;
    for (;;) {
      const c = this.src.charCodeAt(end);
      if (Number.isNaN(c)) throw this.error("Unterminated string");
      if (c === 0x22) break;
      if (c === 0x5c) end++;
      else if (c < 0x20) throw new JsonSyntaxError("Control character in a string", end);
      end++;
    }
    this.pos = end + 1;
    try {
      return JSON.parse(this.src.slice(start, end + 1)) as string;
    } catch {
      throw new JsonSyntaxError("Invalid escape in a string", start);
    }
  }
}
