import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalPath, parseRequestTarget, RequestTargetError } from "../../src/gateway/routing/canonical-path.js";

const refusal = (target: string): string => {
  try {
    parseRequestTarget(target);
  } catch (error) {
    assert.ok(error instanceof RequestTargetError, String(error));
    return error.message;
  }
  throw new Error(`${target} was accepted`);
};

describe("the canonical request path", () => {
  it("resolves dot segments (RFC 3986 §5.2.4) after decoding unreserved escapes, and collapses empty segments", () => {
    const cases: [string, string, number][] = [
      ["/probe/public/../admin/secret", "/probe/admin/secret", 1],
      ["/probe/public/%2e%2e/admin", "/probe/admin", 1],
      ["/probe/public/.%2E/admin", "/probe/admin", 1],
      ["/probe/public/./../admin", "/probe/admin", 1],
      ["/probe/public//../admin", "/probe/admin", 1],
      ["/probe/public/x/../../admin", "/probe/admin", 1],
      ["/a/b/..", "/a/", 1],
      ["/a/b/.", "/a/b/", 2],
      ["/a/b/", "/a/b/", 2],
      ["//a///b", "/a/b", 2],
      ["/", "/", 0],
      ["/.", "/", 0],
      ["/a/..", "/", 0],
    ];
    for (const [raw, path, floor] of cases) assert.deepEqual(canonicalPath(raw), { path, floor }, raw);
  });

  it("decodes only unreserved characters, upper-cases other escapes and encodes what a path may not hold raw", () => {
    assert.equal(canonicalPath("/%7e%41%2d%5F/%e2%82%ac%3a/a|b/é/{x}").path, "/~A-_/%E2%82%AC%3A/a%7Cb/%C3%A9/%7Bx%7D");
    assert.equal(canonicalPath("/a:b@c;d=e,f!$&'()*+").path, "/a:b@c;d=e,f!$&'()*+");
    // Double encoding stays encoded once: it is never decoded again.
    assert.equal(canonicalPath("/%252e%252e/x").path, "/%252e%252e/x");
  });

  it("refuses what backends read differently, naming the problem without quoting the path", () => {
    assert.equal(refusal("/a/..\\b"), "The URL path holds a backslash (\\).");
    assert.equal(refusal("/a/%5cb"), "The URL path holds a backslash (%5C).");
    assert.equal(refusal("/a/%2f"), "The URL path holds an encoded '/' (%2F).");
    assert.equal(refusal("/a/x%00/../.."), "The URL path holds a control character.");
    assert.equal(refusal("/a/%0d%0aX: y"), "The URL path holds a control character.");
    assert.equal(refusal("/a/\u0007"), "The URL path holds a control character.");
    assert.equal(refusal("/a/..;/b"), "The URL path holds a dot segment with parameters ('..;').");
    assert.equal(refusal("/a/%2e;x/b"), "The URL path holds a dot segment with parameters ('..;').");
    assert.equal(refusal("/a/%2"), "The URL path holds a malformed percent-encoding.");
    assert.equal(refusal("/a/%g0"), "The URL path holds a malformed percent-encoding.");
    assert.equal(refusal("/a/\ud800"), "The URL path is not valid Unicode.");
    assert.equal(refusal("/a/../.."), "The URL path climbs above its root ('..').");
    assert.equal(refusal("/%2e%2e/a"), "The URL path climbs above its root ('..').");
    assert.equal(refusal("*"), "The request target is not a URL path.");
  });

  it("drops the fragment, keeps the query as sent and reads the absolute form's path", () => {
    assert.deepEqual(parseRequestTarget("/a/./b?x=%2F..#/../../c"), { path: "/a/b", floor: 2, query: "x=%2F.." });
    assert.deepEqual(parseRequestTarget("/a#?x=1"), { path: "/a", floor: 1, query: "" });
    assert.deepEqual(parseRequestTarget("http://gateway.example:8080/a/../b?q"), { path: "/b", floor: 0, query: "q" });
    assert.deepEqual(parseRequestTarget("https://gateway.example"), { path: "/", floor: 0, query: "" });
  });

  it("is a fixed point, and leaves nothing a backend would resolve, split or decode into a segment separator", () => {
    const segment = fc.oneof(
      fc.constantFrom("..", ".", "%2e%2e", ".%2e", "%2E.", "", "a", "%41", "%7e", "%e2%82%ac", "x;y", "%252f", "é"),
      fc.stringMatching(/^[A-Za-z0-9._~%:@!$&'()*+,;=-]{0,6}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 10 }), fc.boolean(), (segments, trailing) => {
        const raw = `/${segments.join("/")}${trailing ? "/" : ""}`;
        let canonical: string;
        try {
          canonical = canonicalPath(raw).path;
        } catch (error) {
          assert.ok(error instanceof RequestTargetError);
          return;
        }
        assert.equal(canonicalPath(canonical).path, canonical, raw);
        assert.ok(canonical.startsWith("/") && !canonical.includes("//"), canonical);
        for (const part of canonical.split("/").slice(1)) {
          const decoded = part.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
          assert.ok(decoded !== "." && decoded !== "..", `${raw} → ${canonical}`);
          assert.ok(!/[/\\\0]/.test(decoded), `${raw} → ${canonical}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
