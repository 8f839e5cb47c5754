/**
 * Policy expression micro-benchmark: ns per evaluation of five typical expressions against one request context.
 * Not a test: it asserts nothing. Run with `node --import tsx bench/expressions/run.ts [--rounds 5]`.
 */
import { compileExpression } from "../../packages/server/src/gateway/expressions/index.js";
import type { PipelineContext } from "../../packages/server/src/gateway/pipeline/context.js";
import { harness } from "../../packages/server/test/gateway-policy/helpers.js";
import { medianBy } from "../shared/results.js";

const EXPRESSIONS: readonly [name: string, source: string][] = [
  ["header lookup", `@(context.Request.Headers.GetValueOrDefault("x-tenant",""))`],
  ["subscription key or anonymous", `@(context.Subscription?.Key ?? "anonymous")`],
  [
    "bearer token split",
    `@(context.Request.Headers.GetValueOrDefault("Authorization","scheme param").Split(' ').Last())`,
  ],
  [
    "typed variable condition",
    `@(context.Request.Method == "POST" && context.Variables.GetValueOrDefault<bool>("isMobile"))`,
  ],
  [
    "statement block with regex",
    `@{ var h = context.Request.Headers.GetValueOrDefault("Cache-Control",""); var m = Regex.Match(h, @"max-age=(?<maxAge>\\d+)").Groups["maxAge"]?.Value; return string.IsNullOrEmpty(m) ? 300 : int.Parse(m); }`,
  ],
];

/** The request the engine's own tests use, with the headers and variable the expressions read. */
function context(): PipelineContext {
  const { context } = harness({
    method: "POST",
    path: "/users/5",
    query: "version=1",
    headers: {
      "x-tenant": "contoso",
      Authorization: "Bearer eyJhbGciOiJub25lIn0.e30.",
      "Cache-Control": "public, max-age=120",
    },
  });
  context.variables.set("isMobile", true);
  return context;
}

const roundsFlag = process.argv.indexOf("--rounds");
const rounds = roundsFlag > 0 ? Math.max(1, Math.min(9, Number(process.argv[roundsFlag + 1]) || 3)) : 3;
const ctx = context();

console.log(`policy expressions: ns per evaluation, median of ${rounds} rounds (node ${process.version})`);
for (const [name, source] of EXPRESSIONS) {
  const compiled = compileExpression(source, { line: 1, column: 1 });
  let sink: unknown;
  // Warm up so the closures are optimised before measuring.
  for (let i = 0; i < 200_000; i++) sink = compiled.evaluate(ctx);
  const measured: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const iterations = 500_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = compiled.evaluate(ctx);
    measured.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  const ns = medianBy(measured, (n) => n);
  console.log(`${name.padEnd(32)} ${ns.toFixed(0).padStart(6)} ns/op   (${String(sink).slice(0, 24)})`);
}
