/** Property tests: literals print back as C# prints them, and int/long arithmetic matches C#'s (unchecked). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compileExpression, toPolicyString } from "../../src/gateway/expressions/index.js";
import { contextFor } from "./helpers.js";

const context = contextFor();
const value = (source: string): unknown => compileExpression(source, { line: 1, column: 1 }).evaluate(context);

const int32 = fc.integer({ min: -2147483647, max: 2147483647 });
const OPS = ["+", "-", "*", "/", "%"] as const;

/** C#'s integer arithmetic, computed exactly with BigInt (division truncates toward zero, as BigInt's does). */
function exact(a: number, op: (typeof OPS)[number], b: number): bigint {
  const x = BigInt(a);
  const y = BigInt(b);
  return op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : op === "/" ? x / y : x % y;
}

describe("expression properties", () => {
  it("int arithmetic wraps and truncates as C# does", () => {
    fc.assert(
      fc.property(int32, fc.constantFrom(...OPS), int32, (a, op, b) => {
        fc.pre(!((op === "/" || op === "%") && b === 0));
        assert.equal(value(`@((${a}) ${op} (${b}))`), Number(BigInt.asIntN(32, exact(a, op, b))));
      }),
      { numRuns: 300 },
    );
  });

  it("long arithmetic is exact while it stays within 2^53", () => {
    const safe = fc.integer({ min: -(2 ** 26), max: 2 ** 26 });
    fc.assert(
      fc.property(safe, fc.constantFrom(...OPS), safe, (a, op, b) => {
        fc.pre(!((op === "/" || op === "%") && b === 0));
        assert.equal(value(`@((${a}L) ${op} (${b}L))`), Number(exact(a, op, b)));
      }),
      { numRuns: 200 },
    );
  });

  it("string literals survive escaping and concatenation", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        const literal = (s: string) =>
          `"${[...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`;
        assert.equal(value(`@(${literal(a)} + ${literal(b)})`), a + b);
        assert.equal(value(`@(${literal(a)}.Length)`), a.length);
      }),
      { numRuns: 200 },
    );
  });

  it("doubles print in C#'s round-trip form and parse back", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (d) => {
        const printed = toPolicyString(value(`@(${d === 0 ? "0.0" : d.toExponential()} + "")`));
        assert.equal(Number(printed.replace("E", "e")), d === 0 ? 0 : d);
        assert.equal(value(`@(double.Parse("${printed}") == ${d === 0 ? "0.0" : d.toExponential()})`), true);
      }),
      { numRuns: 200 },
    );
  });
});
