/**
 * The one canonical form of a URL path (README "Request paths"): decided once per request target, before routing, and
 * the only path routing, policies and the forwarder see; rewrite-uri and set-backend-service results go through it
 * too. One pass, linear in the path's length:
 * - percent-encoded unreserved characters (ALPHA DIGIT - . _ ~) are decoded, other escapes get upper-case hex, and
 *   characters a path may not hold raw (`"`, `<`, `|`, non-ASCII…) are percent-encoded;
 * - empty segments collapse (routing has always ignored them) and dot segments are resolved (RFC 3986 §5.2.4);
 * - refused, because backends disagree on what they mean: `\` and `%5C`, `%2F`, control characters raw or encoded,
 *   a malformed escape, a dot segment with `;` parameters (`..;` is `..` to Tomcat and Spring), and a `..` with
 *   nothing left to remove (the path climbs above its root).
 */

/** Why a path is refused; the message names the problem and never quotes the path. */
export class RequestTargetError extends Error {
  override name = "RequestTargetError";
}

export interface CanonicalPath {
  /** Starts with `/`; no empty or dot segments; only reserved and non-ASCII characters percent-encoded. */
  path: string;
  /**
   * The fewest segments a `..` left standing (the path's segment count when it has no `..`): segments at and past
   * this depth were reached by climbing back, so a root deeper than it was climbed above.
   */
  floor: number;
}

export interface RequestTarget extends CanonicalPath {
  /** The query string without `?`, as received; the fragment is dropped. */
  query: string;
}

/** ASCII code → UNRESERVED, PCHAR (a sub-delim, `:` or `@`: kept raw), or 0 (percent-encoded or refused). */
const UNRESERVED = 1;
const PCHAR = 2;
const CLASS = new Uint8Array(128);
for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
  CLASS[char.charCodeAt(0)] = UNRESERVED;
for (const char of "!$&'()*+,;=:@") CLASS[char.charCodeAt(0)] = PCHAR;
const HEX_DIGITS = "0123456789ABCDEF";
const SLASH = 0x2f;
const PERCENT = 0x25;
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** `/path?query#fragment` (origin form) or `http://host/path?query` (absolute form) → canonical path and query. */
export function parseRequestTarget(target: string): RequestTarget {
  const hash = target.indexOf("#");
  let rest = hash < 0 ? target : target.slice(0, hash);
  if (!rest.startsWith("/")) {
    const authority = ABSOLUTE_FORM.exec(rest);
    if (!authority) throw new RequestTargetError("The request target is not a URL path.");
    rest = rest.slice(authority[0].length);
  }
  const q = rest.indexOf("?");
  const { path, floor } = canonicalPath(q < 0 ? rest : rest.slice(0, q));
  return { path, floor, query: q < 0 ? "" : rest.slice(q + 1) };
}

/** The canonical form of `raw` (which need not start with `/`), relative to the root it climbs no higher than. */
export function canonicalPath(raw: string): CanonicalPath {
  const segments: string[] = [];
  let floor = Number.POSITIVE_INFINITY;
  // A trailing `/`, `.` or `..` leaves the path ending in `/` (RFC 3986 §5.2.4).
  let trailingSlash = false;
  // Whether `raw` is already canonical, as most paths are: then it is the answer, not a joined copy.
  let unchanged = raw.charCodeAt(0) === SLASH;
  for (let start = 0; start <= raw.length;) {
    // Most segments need no change: they are sliced, and only the others are rebuilt character by character.
    let end = start;
    let plain = true;
    for (; end < raw.length; end++) {
      const code = raw.charCodeAt(end);
      if (code === SLASH) break;
      if (code >= 128 || CLASS[code] === 0) plain = false;
    }
    const segment = plain ? raw.slice(start, end) : rebuiltSegment(raw, start, end);
    unchanged &&= plain && (segment !== "" || start === 0 || end === raw.length);
    if (segment === "..") {
      if (segments.length === 0) throw new RequestTargetError("The URL path climbs above its root ('..').");
      segments.pop();
      floor = Math.min(floor, segments.length);
      trailingSlash = true;
      unchanged = false;
    } else if (segment === "." || segment === "") {
      trailingSlash = true;
      unchanged &&= segment === "";
    } else {
      if (segment.startsWith(".;") || segment.startsWith("..;")) {
        throw new RequestTargetError("The URL path holds a dot segment with parameters ('..;').");
      }
      segments.push(segment);
      trailingSlash = false;
    }
    start = end + 1;
  }
  const path = unchanged ? raw : `/${segments.join("/")}${trailingSlash && segments.length > 0 ? "/" : ""}`;
  return { path, floor: Math.min(floor, segments.length) };
}

/** raw[start, end) with unreserved escapes decoded, other escapes upper-cased and other characters encoded. */
function rebuiltSegment(raw: string, start: number, end: number): string {
  let segment = "";
  for (let i = start; i < end; i++) {
    const code = raw.charCodeAt(i);
    if (code === PERCENT) {
      const high = i + 2 < end ? hexValue(raw.charCodeAt(i + 1)) : -1;
      const low = high < 0 ? -1 : hexValue(raw.charCodeAt(i + 2));
      if (low < 0) throw new RequestTargetError("The URL path holds a malformed percent-encoding.");
      const value = high * 16 + low;
      refuseSpecial(value, true);
      segment += CLASS[value] === UNRESERVED ? String.fromCharCode(value) : `%${HEX_DIGITS[high]}${HEX_DIGITS[low]}`;
      i += 2;
    } else if (code < 128 && CLASS[code] !== 0) segment += raw[i] as string;
    else {
      refuseSpecial(code, false);
      const point = raw.codePointAt(i) as number;
      if (point >= 0xd800 && point <= 0xdfff) throw new RequestTargetError("The URL path is not valid Unicode.");
      const text = String.fromCodePoint(point);
      segment += encodeURIComponent(text);
      i += text.length - 1;
    }
  }
  return segment;
}

/** 0–15 for a hex digit's character code, else -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const letter = code | 0x20;
  return letter >= 0x61 && letter <= 0x66 ? letter - 0x61 + 10 : -1;
}

/** `/` and `\` inside a segment, and control characters, mean different things to different servers. */
function refuseSpecial(code: number, encoded: boolean): void {
  if (code === 0x2f) throw new RequestTargetError("The URL path holds an encoded '/' (%2F).");
  if (code === 0x5c) throw new RequestTargetError(`The URL path holds a backslash (${encoded ? "%5C" : "\\"}).`);
  if (code < 0x20 || code === 0x7f) throw new RequestTargetError("The URL path holds a control character.");
}

/** `context.Request.OriginalUrl`: the canonical target under the gateway's origin (no fragment, no dot segments). */
export function originalUrlOf(target: RequestTarget, origin: string): URL {
  // One absolute string rather than a path resolved against a base: half the parsing, on every forwarded request
  // (X-Forwarded-Host). The canonical path starts with a single `/`, so it cannot read as an authority.
  return new URL(`${origin}${target.path}${target.query === "" ? "" : `?${target.query}`}`);
}

/**
 * An absolute http(s) URL a policy computed (set-backend-service, send-request's set-url) with its path in canonical
 * form and no fragment; throws RequestTargetError when the path is refused.
 */
export function withCanonicalPath(absoluteUrl: string): string {
  const { path, query } = parseRequestTarget(absoluteUrl);
  return `${new URL(absoluteUrl).origin}${path}${query === "" ? "" : `?${query}`}`;
}
