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
export class RequestPathError extends Error {
  override name = "RequestPathError";
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
const HEX = /^[0-9A-Fa-f]{2}$/;
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** `/path?query#fragment` (origin form) or `http://host/path?query` (absolute form) → canonical path and query. */
export function parseRequestTarget(target: string): RequestTarget {
  const hash = target.indexOf("#");
  let rest = hash < 0 ? target : target.slice(0, hash);
  if (!rest.startsWith("/")) {
    const authority = ABSOLUTE_FORM.exec(rest);
    if (!authority) throw new RequestPathError("The request target is not a URL path.");
    rest = rest.slice(authority[0].length);
  }
  const q = rest.indexOf("?");
  const canonical = canonicalPath(q < 0 ? rest : rest.slice(0, q));
  return { ...canonical, query: q < 0 ? "" : rest.slice(q + 1) };
}

/** The canonical form of `raw` (which need not start with `/`), relative to the root it climbs no higher than. */
export function canonicalPath(raw: string): CanonicalPath {
  const segments: string[] = [];
  let floor = Number.POSITIVE_INFINITY;
  let segment = "";
  // A trailing `/`, `.` or `..` leaves the path ending in `/` (RFC 3986 §5.2.4).
  let trailingSlash = false;
  const endSegment = (): void => {
    if (segment === "..") {
      if (segments.length === 0) throw new RequestPathError("The URL path climbs above its root ('..').");
      segments.pop();
      floor = Math.min(floor, segments.length);
      trailingSlash = true;
    } else if (segment === "." || segment === "") {
      trailingSlash = true;
    } else {
      if (segment.startsWith(".;") || segment.startsWith("..;")) {
        throw new RequestPathError("The URL path holds a dot segment with parameters ('..;').");
      }
      segments.push(segment);
      trailingSlash = false;
    }
    segment = "";
  };
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    const code = char.charCodeAt(0);
    if (char === "/") endSegment();
    else if (char === "%") {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new RequestPathError("The URL path holds a malformed percent-encoding.");
      const value = Number.parseInt(hex, 16);
      refuseSpecial(value, true);
      segment += CLASS[value] === UNRESERVED ? String.fromCharCode(value) : `%${hex.toUpperCase()}`;
      i += 2;
    } else if (code < 128 && CLASS[code] !== 0) segment += char;
    else {
      refuseSpecial(code, false);
      const point = raw.codePointAt(i) as number;
      const text = String.fromCodePoint(point);
      if (point >= 0xd800 && point <= 0xdfff) throw new RequestPathError("The URL path is not valid Unicode.");
      segment += encodeURIComponent(text);
      i += text.length - 1;
    }
  }
  endSegment();
  const path = `/${segments.join("/")}${trailingSlash && segments.length > 0 ? "/" : ""}`;
  return { path, floor: Math.min(floor, segments.length) };
}

/** `/` and `\` inside a segment, and control characters, mean different things to different servers. */
function refuseSpecial(code: number, encoded: boolean): void {
  if (code === 0x2f) throw new RequestPathError("The URL path holds an encoded '/' (%2F).");
  if (code === 0x5c) throw new RequestPathError(`The URL path holds a backslash (${encoded ? "%5C" : "\\"}).`);
  if (code < 0x20 || code === 0x7f) throw new RequestPathError("The URL path holds a control character.");
}

/** `context.Request.OriginalUrl`: the canonical target under the gateway's origin (no fragment, no dot segments). */
export function originalUrlOf(target: RequestTarget, origin: string): URL {
  return new URL(`${target.path}${target.query === "" ? "" : `?${target.query}`}`, origin);
}

/**
 * An absolute http(s) URL a policy computed (set-backend-service, send-request's set-url) with its path in canonical
 * form and no fragment; throws RequestPathError when the path is refused.
 */
export function withCanonicalPath(absoluteUrl: string): string {
  const { path, query } = parseRequestTarget(absoluteUrl);
  return `${new URL(absoluteUrl).origin}${path}${query === "" ? "" : `?${query}`}`;
}
