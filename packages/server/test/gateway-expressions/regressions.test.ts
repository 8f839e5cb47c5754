/** Expression bugs found while writing the policy corpus (test/policy-corpus), each pinned by the case that showed it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { text } from "./helpers.js";

describe("expression regressions", () => {
  it("'?.' on a nullable value type reaches the value's members (Jwt.ExpirationTime?.ToString(\"o\"))", () => {
    assert.equal(
      text(`@{ DateTime? d = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc); return d?.ToString("o"); }`),
      "2024-01-02T03:04:05.0000000Z",
    );
    assert.equal(text(`@{ DateTime? d = null; return d?.ToString("o") ?? "never"; }`), "never");
    assert.equal(text(`@{ int? n = 7; return n?.ToString("D3") + "|" + (n?.CompareTo(5) ?? 0); }`), "007|1");
    assert.equal(text(`@{ DateTime? d = new DateTime(2024, 6, 1); return d?.Year + 1; }`), "2025");
  });

  it("string.Format takes an IFormatProvider first (string.Format(CultureInfo.InvariantCulture, …))", () => {
    assert.equal(
      text(
        `@(string.Format(CultureInfo.InvariantCulture, "{0:F2} EUR by {1:yyyy-MM-dd}", 28.25m, new DateTime(2025, 6, 5)))`,
      ),
      "28.25 EUR by 2025-06-05",
    );
    assert.equal(text(`@(String.Format(CultureInfo.InvariantCulture, "{0}", "x"))`), "x");
  });
});
