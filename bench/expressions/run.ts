/**
 * Policy expression micro-benchmark: ns per evaluation of five typical expressions against one request context.
 * Not a test: it asserts nothing. Run with `node --import tsx bench/expressions/run.ts [--rounds 5]`.
 */
import { compileExpression } from "../../packages/server/src/gateway/expressions/index.js";
import { DEFAULT_DEPLOYMENT } from "../../packages/server/src/gateway/node.js";
import type { PipelineContext } from "../../packages/server/src/gateway/pipeline/context.js";
import { HeaderMap } from "../../packages/server/src/gateway/pipeline/headers.js";
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

function context(): PipelineContext {
  const headers = new HeaderMap();
  headers.set("x-tenant", ["contoso"]);
  headers.set("Authorization", ["Bearer eyJhbGciOiJub25lIn0.e30."]);
  headers.set("Cache-Control", ["public, max-age=120"]);
  return {
    requestId: "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13",
    startedAt: process.hrtime.bigint(),
    api: {
      name: "echo",
      displayName: "Echo",
      description: null,
      path: "echo",
      serviceUrl: "http://127.0.0.1:9/echo",
      protocols: ["http"],
      apiType: "http",
      subscriptionRequired: false,
      subscriptionKeyParameterNames: { header: "Ocp-Apim-Subscription-Key", query: "subscription-key" },
    },
    operation: {
      api: "echo",
      name: "get",
      displayName: "Get",
      method: "GET",
      urlTemplate: "/",
      description: null,
      responses: [],
    },
    product: undefined,
    subscription: undefined,
    request: {
      method: "POST",
      path: "/users/5",
      query: new URLSearchParams("version=1"),
      headers,
      originalUrl: new URL("http://127.0.0.1:8080/echo/users/5?version=1"),
      originalMethod: "POST",
      ipAddress: "127.0.0.1",
      matchedParameters: new Map([["id", "5"]]),
      body: undefined,
    },
    response: undefined,
    backend: { baseUrl: "http://127.0.0.1:9/echo", backendId: null, credentials: null, validateCertificate: true },
    variables: new Map<string, unknown>([["isMobile", true]]),
    lastError: undefined,
    section: "inbound",
    ended: false,
    completions: [],
    trace: undefined,
    services: {
      deployment: DEFAULT_DEPLOYMENT,
      forward: () => Promise.resolve(),
      rejected: () => undefined,
    },
  } as unknown as PipelineContext;
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
