/**
 * A reader of ASN.1 in DER (and the BER that PKCS#12 writers emit: indefinite lengths, constructed OCTET STRINGs).
 * Every byte is looked at a bounded number of times, so reading is linear in the input; nesting is bounded too.
 */

export class DerError extends Error {
  override name = "DerError";
}

export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** `[0]` constructed (EXPLICIT, or IMPLICIT over a constructed type). */
  CONTEXT_0: 0xa0,
  /** `[0]` primitive (IMPLICIT OCTET STRING). */
  CONTEXT_0_PRIMITIVE: 0x80,
} as const;

const MAX_DEPTH = 24;
const CONSTRUCTED = 0x20;

export interface Asn1Node {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  tag: number;
  /** Primitive nodes: the value's octets. */
  content: Buffer;
  /** Constructed nodes: their elements. */
  children: Asn1Node[];
  /** The whole encoding, identifier and length included. */
  raw: Buffer;
}

/** Reads one element that must fill the input exactly. */
export function readDer(input: Buffer): Asn1Node {
  const [node, end] = readNode(input, 0, 0);
  if (end !== input.length) throw new DerError("trailing data after the ASN.1 structure");
  return node;
}

function readNode(input: Buffer, start: number, depth: number): [Asn1Node, number] {
  if (depth > MAX_DEPTH) throw new DerError("ASN.1 structure nested too deeply");
  const tag = byteAt(input, start);
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte ASN.1 tags are not used in these structures");
  let offset = start + 1;
  const first = byteAt(input, offset++);
  const constructed = (tag & CONSTRUCTED) !== 0;
  if (first === 0x80) {
    // BER indefinite length: elements up to the end-of-contents octets 00 00.
    if (!constructed) throw new DerError("indefinite length on a primitive ASN.1 element");
    const children: Asn1Node[] = [];
    while (!(byteAt(input, offset) === 0 && byteAt(input, offset + 1) === 0)) {
      const [child, next] = readNode(input, offset, depth + 1);
      children.push(child);
      offset = next;
    }
    const end = offset + 2;
    return [{ tag, content: input.subarray(start + 2, offset), children, raw: input.subarray(start, end) }, end];
  }
  let length = first;
  if (first > 0x80) {
    const octets = first & 0x7f;
    if (octets > 4) throw new DerError("ASN.1 length too large");
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + byteAt(input, offset++);
  }
  const end = offset + length;
  if (end > input.length) throw new DerError("ASN.1 element runs past the end of the input");
  const content = input.subarray(offset, end);
  const children: Asn1Node[] = [];
  if (constructed) {
    let at = offset;
    while (at < end) {
      const [child, next] = readNode(input.subarray(0, end), at, depth + 1);
      children.push(child);
      at = next;
    }
  }
  return [{ tag, content, children, raw: input.subarray(start, end) }, end];
}

function byteAt(input: Buffer, offset: number): number {
  const value = input[offset];
  if (value === undefined) throw new DerError("ASN.1 structure ends early");
  return value;
}

/** The node, which must have the tag; `what` names it in the error. */
export function expect(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!node || node.tag !== tag) throw new DerError(`${what} is missing or malformed`);
  return node;
}

/** A SEQUENCE's (or SET's) elements. */
export function elements(node: Asn1Node | undefined, what: string): Asn1Node[] {
  if (!node || (node.tag !== TAG.SEQUENCE && node.tag !== TAG.SET)) throw new DerError(`${what} is not a sequence`);
  return node.children;
}

/** An OCTET STRING's octets (primitive, implicitly tagged, or BER constructed from segments). */
export function octets(node: Asn1Node | undefined, what: string): Buffer {
  if (!node) throw new DerError(`${what} is missing`);
  if ((node.tag & CONSTRUCTED) === 0) return node.content;
  return Buffer.concat(node.children.map((child) => octets(child, what)));
}

export function objectIdentifier(node: Asn1Node | undefined, what: string): string {
  const { content } = expect(node, TAG.OID, what);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw new DerError(`${what} has an arc too large`);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  if (arcs.length === 0 || (content.at(-1) ?? 0) & 0x80) throw new DerError(`${what} is malformed`);
  return arcs.join(".");
}

/** A small non-negative INTEGER (versions, iteration counts, key lengths). */
export function smallInteger(node: Asn1Node | undefined, what: string): number {
  const { content } = expect(node, TAG.INTEGER, what);
  if (content.length === 0 || content.length > 6 || ((content[0] ?? 0) & 0x80) !== 0) {
    throw new DerError(`${what} is not a small non-negative integer`);
  }
  return content.readUIntBE(0, content.length);
}
