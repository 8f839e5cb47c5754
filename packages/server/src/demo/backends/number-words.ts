/**
 * English words for numbers, spelled like the public DataFlex NumberConversion service: lower case, "and" only between
 * "hundred" and the rest of its three-digit group ("one hundred and eleven", but "one thousand two"), and a trailing
 * space after the last word ("five hundred ").
 */

/** xs:unsignedLong, the type of NumberToWords' ubiNum. */
export const MAX_UNSIGNED_LONG = 18446744073709551615n;

const UNITS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
// Enough scales for 2^64 - 1 (eighteen quintillion …).
const SCALES = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"];

export class NumberRangeError extends RangeError {
  override name = "NumberRangeError";
}

/** Words for 1…999 (no trailing space). */
function groupWords(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const below100 =
    rest === 0
      ? ""
      : rest < 20
        ? (UNITS[rest] ?? "")
        : `${TENS[Math.floor(rest / 10)] ?? ""}${rest % 10 ? ` ${UNITS[rest % 10] ?? ""}` : ""}`;
  if (hundreds === 0) return below100;
  return `${UNITS[hundreds] ?? ""} hundred${below100 ? ` and ${below100}` : ""}`;
}

/** Words for 0 … 18446744073709551615, with the original service's trailing space. */
export function numberToWords(value: bigint): string {
  if (value < 0n || value > MAX_UNSIGNED_LONG)
    throw new NumberRangeError(`${value} is outside 0 … ${MAX_UNSIGNED_LONG}`);
  if (value === 0n) return "zero ";
  const parts: string[] = [];
  let rest = value;
  for (let scale = 0; rest > 0n; scale++, rest /= 1000n) {
    const group = Number(rest % 1000n);
    if (group > 0) parts.unshift(SCALES[scale] ? `${groupWords(group)} ${SCALES[scale]}` : groupWords(group));
  }
  return `${parts.join(" ")} `;
}

/** "one dollar", "twelve dollars and thirty four cents", "zero dollars and fifty cents" for an amount in cents. */
export function centsToDollars(cents: bigint): string {
  if (cents < 0n || cents / 100n > MAX_UNSIGNED_LONG) throw new NumberRangeError(`${cents} cents is out of range`);
  const dollars = cents / 100n;
  const rest = cents % 100n;
  const dollarWords = `${numberToWords(dollars).trimEnd()} ${dollars === 1n ? "dollar" : "dollars"}`;
  if (rest === 0n) return dollarWords;
  return `${dollarWords} and ${numberToWords(rest).trimEnd()} ${rest === 1n ? "cent" : "cents"}`;
}
