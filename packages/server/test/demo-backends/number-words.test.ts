import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  MAX_UNSIGNED_LONG,
  NumberRangeError,
  centsToDollars,
  numberToWords,
} from "../../src/demo/backends/number-words.js";

/** An independent reader of the words, so the property below checks the spelling against the value. */
function wordsToNumber(words: string): bigint {
  const small: Record<string, number> = {};
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
    .split(" ")
    .forEach((w, i) => (small[w] = i));
  "twenty thirty forty fifty sixty seventy eighty ninety".split(" ").forEach((w, i) => (small[w] = (i + 2) * 10));
  const scales: Record<string, bigint> = {
    thousand: 10n ** 3n,
    million: 10n ** 6n,
    billion: 10n ** 9n,
    trillion: 10n ** 12n,
    quadrillion: 10n ** 15n,
    quintillion: 10n ** 18n,
  };
  let total = 0n;
  let group = 0n;
  for (const word of words.trimEnd().split(" ")) {
    if (word === "and") continue;
    if (word === "hundred") group *= 100n;
    else if (scales[word] !== undefined) {
      total += group * scales[word];
      group = 0n;
    } else if (small[word] !== undefined) group += BigInt(small[word]);
    else throw new Error(`unknown word ${word}`);
  }
  return total + group;
}

describe("number words (the NumberConversion service's spelling)", () => {
  const cases: [bigint, string][] = [
    [0n, "zero "],
    [7n, "seven "],
    [13n, "thirteen "],
    [21n, "twenty one "],
    [100n, "one hundred "],
    [111n, "one hundred and eleven "],
    [500n, "five hundred "],
    [1001n, "one thousand one "],
    [1002n, "one thousand two "],
    [1190n, "one thousand one hundred and ninety "],
    [1000000n, "one million "],
    [
      18446744073709551615n,
      "eighteen quintillion four hundred and forty six quadrillion seven hundred and forty four trillion " +
        "seventy three billion seven hundred and nine million five hundred and fifty one thousand six hundred and fifteen ",
    ],
  ];
  for (const [n, words] of cases) {
    it(`${n} → "${words}"`, () => assert.equal(numberToWords(n), words));
  }

  it("spells every unsignedLong so that it reads back as the same number, in the same format", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_UNSIGNED_LONG }), (n) => {
        const words = numberToWords(n);
        assert.match(words, /^[a-z]+( [a-z]+)* $/);
        assert.doesNotMatch(words, /(^|\s)and (thousand|million|billion|trillion|quadrillion|quintillion)/);
        assert.equal(wordsToNumber(words), n);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses numbers outside unsignedLong", () => {
    assert.throws(() => numberToWords(-1n), NumberRangeError);
    assert.throws(() => numberToWords(MAX_UNSIGNED_LONG + 1n), NumberRangeError);
  });

  it("spells dollar amounts with singular and plural units", () => {
    assert.equal(centsToDollars(50000n), "five hundred dollars");
    assert.equal(centsToDollars(100n), "one dollar");
    assert.equal(centsToDollars(1234n), "twelve dollars and thirty four cents");
    assert.equal(centsToDollars(101n), "one dollar and one cent");
    assert.equal(centsToDollars(50n), "zero dollars and fifty cents");
  });
});
