// CLI entry: `node --import tsx bench/policies/run.ts [--duration 5] [--rounds 3] [--connections 32]
//   [--gateway-workers 1] [--redis redis://127.0.0.1:6379]`
//
// What a realistic policy pipeline costs: the same Gatehouse serves two APIs in front of the same backend, one with
// validate-jwt alone and one with five typical policies (validate-jwt, check-header, set-header with an expression,
// rate-limit-by-key, set-backend-service); they are measured in interleaved rounds and compared as a ratio.
import { loadavg, availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { DEFAULT_REDIS_TIMEOUT_MS } from "../../packages/server/src/config/options.js";
import { startGatehouseWithConfig } from "../gateway/gatehouse.js";
import { startIssuer } from "../gateway/issuer.js";
import { loadGenerator, type LoadResult } from "../gateway/load.js";
import { spawnTarget } from "../gateway/spawn-target.js";
import { AUDIENCE, benchIssuer } from "../gateway/tokens.js";
import { verifyTargets } from "../gateway/verify.js";
import { validateJwtElement, validateJwtPolicy } from "../../packages/server/test/helpers/gateway.js";
import { intInRange, LOAD_OPTIONS, loadSettings, type LoadSettings } from "../shared/load-settings.js";
import { machineInfo, medianBy, saveResults } from "../shared/results.js";

const WARMUP_SEC = 2;
const CLIENT_HEADER = { "X-Client-Id": "bench-client" };

/** A limit the load never reaches: the counter is still read and written on every call. */
function fivePolicies(openIdConfigUrl: string, backendOrigin: string, run: string): string {
  return `<policies>
  <inbound>
    <base />${validateJwtElement(openIdConfigUrl, AUDIENCE)}
    <check-header name="X-Client-Id" failed-check-httpcode="401" failed-check-error-message="Unknown client" ignore-case="true">
      <value>bench-client</value>
      <value>other-client</value>
    </check-header>
    <set-header name="X-Caller" exists-action="override">
      <value>@(context.Request.Headers.GetValueOrDefault("X-Client-Id", "anonymous") + "@" + context.Request.IpAddress)</value>
    </set-header>
    <rate-limit-by-key calls="1000000000" renewal-period="300" counter-key="@(&quot;${run}/&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Client-Id&quot;, &quot;&quot;))" />
    <set-backend-service base-url="${backendOrigin}" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;
}

/** `run` prefixes the counter key, so runs sharing a Redis never share a counter. */
function configYaml(openIdConfigUrl: string, backendOrigin: string, run: string): string {
  const api = (name: string, policy: string) => ({
    name,
    displayName: name,
    path: name,
    // The five-policy API reaches the backend only through set-backend-service.
    serviceUrl: name === "five" ? "http://127.0.0.1:9" : backendOrigin,
    protocols: ["http"],
    subscriptionRequired: false,
    policy,
    operations: [{ name: "get-item", displayName: "Get item", method: "GET", urlTemplate: "/items/{id}" }],
  });
  return stringify({
    gateway: {
      apis: [
        api("jwt", validateJwtPolicy(openIdConfigUrl, AUDIENCE)),
        api("five", fivePolicies(openIdConfigUrl, backendOrigin, run)),
      ],
    },
  });
}

interface Settings extends LoadSettings {
  gatewayWorkers: number;
  /** Counters in this Redis (`--redis`) rather than in each gateway process's memory. */
  redisUrl: string | undefined;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...LOAD_OPTIONS,
      "gateway-workers": { type: "string" },
      redis: { type: "string" },
    },
  });
  return {
    ...loadSettings(values),
    gatewayWorkers: intInRange("--gateway-workers", values["gateway-workers"] ?? "1", 1, 16),
    redisUrl: values.redis,
  };
}

const log = (msg: string): void => console.error(`[bench] ${msg}`);

async function main(): Promise<void> {
  const s = parseSettings(process.argv.slice(2));
  const startedAt = new Date();
  const loadavgStart = loadavg();
  const budgetSec = 2 * s.rounds * (s.durationSec + 2 * WARMUP_SEC) + 300;
  setTimeout(() => {
    console.error(`[bench] aborting: exceeded the ${budgetSec} s budget`);
    process.exit(2);
  }, budgetSec * 1000).unref();

  const generator = loadGenerator();
  const issuer = await startIssuer();
  const tokens = await benchIssuer(issuer.issuer);
  issuer.publish(tokens.jwk);
  const backend = await spawnTarget({ kind: "backend" });
  const results = { jwt: [] as LoadResult[], five: [] as LoadResult[] };
  let verification: string[];
  try {
    log(`starting Gatehouse (${s.gatewayWorkers} gateway process${s.gatewayWorkers > 1 ? "es" : ""})`);
    const redis =
      s.redisUrl === undefined ? undefined : { url: s.redisUrl, commandTimeoutMs: DEFAULT_REDIS_TIMEOUT_MS };
    const gatehouse = await startGatehouseWithConfig(
      configYaml(issuer.openIdConfigUrl, backend.origin, `bench-${Date.now()}`),
      s.gatewayWorkers,
      redis,
    );
    try {
      const targets = [
        { key: "jwt" as const, label: "validate-jwt alone", url: `${gatehouse.origin}/jwt/items/42` },
        { key: "five" as const, label: "five typical policies", url: `${gatehouse.origin}/five/items/42` },
      ];
      verification = await verifyTargets(
        targets.map((t) => ({ ...t, checksTokens: true, headers: CLIENT_HEADER })),
        tokens.valid,
        tokens.invalid,
      );
      for (let round = 1; round <= s.rounds; round++) {
        for (const t of round % 2 === 1 ? targets : [...targets].reverse()) {
          log(`round ${round}/${s.rounds}: ${t.label}`);
          results[t.key].push(
            await generator.run({
              url: t.url,
              authorization: `Bearer ${tokens.valid}`,
              headers: CLIENT_HEADER,
              connections: s.connections,
              durationSec: s.durationSec,
              warmupSec: WARMUP_SEC,
            }),
          );
        }
      }
    } finally {
      await gatehouse.close();
    }
  } finally {
    await backend.close();
    await issuer.close();
  }

  const jwt = medianBy(results.jwt, (r) => r.requestsPerSec);
  const five = medianBy(results.five, (r) => r.requestsPerSec);
  const ratio = five.requestsPerSec / jwt.requestsPerSec;
  const cost = 1 - ratio;
  const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
  const lines = [
    "",
    ...verification.map((l) => `verified: ${l}`),
    "",
    `Policy pipeline benchmark: median of ${s.rounds} interleaved rounds of ${s.durationSec} s, ${s.connections} connections, ` +
      `${generator.name}, ${availableParallelism()} cores, ${s.gatewayWorkers} gateway process(es), ` +
      `counters ${s.redisUrl === undefined ? "in memory" : "in Redis"}`,
    `validate-jwt alone      ${f0(jwt.requestsPerSec).padStart(8)} req/s  p50 ${jwt.p50Ms.toFixed(2)} ms  p99 ${jwt.p99Ms.toFixed(2)} ms  rounds: ${results.jwt.map((r) => f0(r.requestsPerSec)).join(", ")}`,
    `five typical policies   ${f0(five.requestsPerSec).padStart(8)} req/s  p50 ${five.p50Ms.toFixed(2)} ms  p99 ${five.p99Ms.toFixed(2)} ms  rounds: ${results.five.map((r) => f0(r.requestsPerSec)).join(", ")}`,
    `five / validate-jwt alone = ${ratio.toFixed(3)}: the four extra policies cost ${(cost * 100).toFixed(1)}% of throughput (aim < 25%: ${cost < 0.25 ? "met" : "NOT met"})`,
  ];
  for (const [label, r] of [
    ["validate-jwt alone", jwt],
    ["five typical policies", five],
  ] as const) {
    if (r.non2xx > 0 || r.errors > 0)
      lines.push(`WARNING: ${label} had ${r.non2xx} error responses and ${r.errors} errors`);
  }
  console.log(lines.join("\n"));
  await saveResults("policies", startedAt, {
    benchmark: "policies",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { ...s, warmupSec: WARMUP_SEC, loadGenerator: generator.name },
    machine: machineInfo(loadavgStart, loadavg()),
    verification,
    targets: { jwtOnly: { ...jwt, rounds: results.jwt }, fivePolicies: { ...five, rounds: results.five } },
    ratio,
    costPercent: cost * 100,
    aimMet: cost < 0.25,
  });
}

main().catch((err: unknown) => {
  console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
