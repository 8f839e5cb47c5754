/** System.Guid: lower-case `D` text, `N`/`B`/`P` formats, NewGuid from the platform's CSPRNG. */
import { randomUUID } from "node:crypto";
import { jsonTextOf, tokenFrom, JValue } from "../json.js";
import { declareOrdered } from "../operators.js";
import { formatError } from "../runtime.js";
import { addMembers, libraryType, method, property, tryParseMethod } from "../members.js";
import { BYTE_ARRAY, INT, STRING, typeOf, type Type } from "../types.js";
import { CsValue } from "../values.js";

class GuidValue extends CsValue {
  /** 32 lower-case hex digits. */
  constructor(readonly hex: string) {
    super();
  }
  csType(): Type {
    return GUID;
  }
  override csToString(): string {
    return this.csFormat("D");
  }
  override csFormat(format: string): string {
    const h = this.hex;
    const d = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    switch (format) {
      case "":
      case "D":
      case "d":
        return d;
      case "N":
      case "n":
        return h;
      case "B":
      case "b":
        return `{${d}}`;
      case "P":
      case "p":
        return `(${d})`;
      default:
        throw formatError('Format string can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".');
    }
  }
  override csEquals(other: unknown): boolean {
    return other instanceof GuidValue && other.hex === this.hex;
  }
  override csKey(): unknown {
    return `\u0000Guid:${this.hex}`;
  }
  csCompare(other: unknown): number {
    const o = (other as GuidValue).hex;
    return this.hex < o ? -1 : this.hex > o ? 1 : 0;
  }
}

const GUID_DEF = libraryType("System.Guid", { valueType: true, test: (v) => v instanceof GuidValue });
export const GUID = typeOf(GUID_DEF);
const EMPTY = new GuidValue("0".repeat(32));
GUID_DEF.defaultValue = () => EMPTY;
declareOrdered(GUID_DEF);

/** Guid.Parse's accepted forms: D, N, B, P (any case). */
export function parseGuid(text: unknown): GuidValue {
  const m =
    typeof text === "string"
      ? /^\s*[{(]?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})[})]?\s*$/.exec(
          text,
        )
      : null;
  if (!m) throw formatError("Unrecognized Guid format.");
  return new GuidValue(m.slice(1).join("").toLowerCase());
}

addMembers(GUID_DEF.statics, {
  NewGuid: method({ returns: GUID, invoke: () => new GuidValue(randomUUID().replaceAll("-", "")) }),
  Empty: property(GUID, () => EMPTY),
  Parse: method({ params: ["input"], returns: GUID, invoke: (_s, [text]) => parseGuid(text) }),
  TryParse: tryParseMethod({
    params: ["input", "result"],
    result: GUID,
    fallback: EMPTY,
    parse: ([text]) => parseGuid(text),
  }),
});
addMembers(GUID_DEF.members, {
  ToString: method<GuidValue>({
    params: ["format"],
    min: 0,
    returns: STRING,
    invoke: (g, [format]) => g.csFormat(typeof format === "string" ? format : "D"),
  }),
  CompareTo: method<GuidValue>({ params: ["value"], returns: INT, invoke: (g, [o]) => g.csCompare(o) }),
  ToByteArray: method<GuidValue>({
    returns: BYTE_ARRAY,
    invoke: (g) => {
      const bytes = Buffer.from(g.hex, "hex");
      // .NET stores the first three groups little-endian.
      bytes.subarray(0, 4).reverse();
      bytes.subarray(4, 6).reverse();
      bytes.subarray(6, 8).reverse();
      return new Uint8Array(bytes);
    },
  }),
});

jsonTextOf((value) => (value instanceof GuidValue ? value.csToString() : undefined));
tokenFrom((value) => (value instanceof GuidValue ? new JValue("Guid", value) : undefined));
