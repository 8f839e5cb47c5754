/**
 * Every reader is linear in its document: eight times the operations take about eight times as long (a quadratic
 * step would take 64 times). Documents stay within the 4 MiB an import takes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importApiDocument, MAX_DOCUMENT_BYTES } from "../../src/gateway/model/apis/import/index.js";
import { SCALE_DOCUMENTS } from "./scale-documents.js";

const SMALL = 500;
const FACTOR = 8;
/** Linear is about FACTOR; quadratic about FACTOR². */
const MAX_RATIO = FACTOR * 3;

/** The median of `rounds` imports. */
async function millis(format: string, value: string, operations: number, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    const api = await importApiDocument({ format, value });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    assert.equal(api.operations.length, operations);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number;
}

describe("import time grows linearly with the document", () => {
  for (const [reader, format, document] of SCALE_DOCUMENTS) {
    it(`${reader}: ${SMALL * FACTOR} operations take at most ${MAX_RATIO} times as long as ${SMALL}`, async () => {
      const small = document(SMALL);
      const large = document(SMALL * FACTOR);
      assert.ok(Buffer.byteLength(large) <= MAX_DOCUMENT_BYTES, `${Buffer.byteLength(large)} bytes`);
      await millis(format, small, SMALL, 1); // warm up
      const smallTime = await millis(format, small, SMALL, 3);
      // Noise only makes one large run slower, which errs towards failing: one is enough.
      const largeTime = await millis(format, large, SMALL * FACTOR, 1);
      const ratio = largeTime / Math.max(smallTime, 1);
      assert.ok(ratio < MAX_RATIO, `${smallTime.toFixed(1)} ms → ${largeTime.toFixed(1)} ms: ×${ratio.toFixed(1)}`);
    });
  }
});
