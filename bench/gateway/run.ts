// CLI entry: `node --import tsx bench/gateway/run.ts [--duration 5] [--rounds 3] [--connections 32] ...`
import { intInRange, LOAD_OPTIONS, loadSettings, type LoadSettings } from "../shared/load-settings.js";
import { machineInfo, medianBy, saveResults } from "../shared/results.js";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startGatehouseGateway } from "./gatehouse.js";
import { startHaproxy } from "./haproxy.js";
import { startIssuer } from "./issuer.js";
import { loadGenerator, type LoadGenerator, type LoadResult } from "./load.js";
import { API_PREFIX } from "./node-targets.js";
import { spawnTarget } from "./spawn-target.js";
import { ensureCommand, firstLine } from "./system-tools.js";
import { AUDIENCE, benchIssuer } from "./tokens.js";
import { verifyTargets } from "./verify.js";

const WARMUP_SEC = 2;
const ITEM_PATH = "/items/42";
const TARGET_KEYS = ["direct", "gatehouse", "workers", "fastify", "haproxy", "bare", "routing"] as const;
type TargetKey = (typeof TARGET_KEYS)[number];

interface Settings extends LoadSettings {
  /** APIs configured in the routing-scale Gatehouse (the other one has 10). */
  routingApis: number;
  /** Also give the fastify peer fast-jwt's verified-token cache. */
  peerCache: boolean;
  /** Gateway worker processes of the `workers` target (`--gateway-workers`). */
  gatewayWorkers: number;
  only: Set<TargetKey>;
}

interface Target {
  key: TargetKey;
  label: string;
  url: string;
  checksTokens: boolean;
  close(): Promise<void>;
}

interface TargetReport extends LoadResult {
  key: TargetKey;
  label: string;
  /** requests/s of every round; the other fields are the median round's. */
  rounds: number[];
}

const USAGE = `Usage: node --import tsx bench/gateway/run.ts [options]
  --duration <s>         measured seconds per target and round (default 5, env BENCH_DURATION)
  --rounds <n>           interleaved rounds; medians are reported (default 3, env BENCH_ROUNDS)
  --connections <n>      concurrent keep-alive connections (default 32, env BENCH_CONNECTIONS)
  --routing-apis <n>     APIs configured in the routing-scale Gatehouse (default 5000)
  --gateway-workers <n>  worker processes of the "workers" Gatehouse target (default: one per core)
  --peer-cache           give the fastify peer fast-jwt's verified-token cache (off by default in @fastify/jwt)
  --only <keys>          comma-separated subset of: ${TARGET_KEYS.join(", ")}`;

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...LOAD_OPTIONS,
      "routing-apis": { type: "string" },
      "peer-cache": { type: "boolean", default: false },
      "gateway-workers": { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = (values.only ?? TARGET_KEYS.join(",")).split(",").map((k) => k.trim());
  const unknown = only.filter((k) => !(TARGET_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new Error(`--only: unknown target ${unknown.join(", ")}; use ${TARGET_KEYS.join(", ")}`);
  return {
    ...loadSettings(values),
    routingApis: intInRange("--routing-apis", values["routing-apis"] ?? "5000", 11, 20_000),
    peerCache: values["peer-cache"] ?? false,
    gatewayWorkers: intInRange("--gateway-workers", values["gateway-workers"] ?? String(availableParallelism()), 2, 16),
    only: new Set(only as TargetKey[]),
  };
}

const log = (msg: string): void => console.error(`[bench] ${msg}`);

async function main(): Promise<void> {
  const s = parseSettings(process.argv.slice(2));
  const startedAt = new Date();
  const loadavgStart = loadavg();
  const generator = loadGenerator();
  const haproxyVersion =
    s.only.has("haproxy") && ensureCommand("haproxy", "haproxy") ? firstLine("haproxy", ["-v"]) : "";
  if (s.only.has("haproxy") && !haproxyVersion) s.only.delete("haproxy");

  // Measured phases plus warm-ups, plus start-up (Gatehouse with thousands of APIs, forked targets), then a hard stop.
  const budgetSec = s.only.size * s.rounds * (s.durationSec + 2 * WARMUP_SEC) + 600;
  setTimeout(() => {
    console.error(`[bench] aborting: exceeded the ${budgetSec} s budget`);
    process.exit(2);
  }, budgetSec * 1000).unref();

  const issuer = await startIssuer();
  const tokens = await benchIssuer(issuer.issuer);
  issuer.publish(tokens.jwk);
  const workDir = await mkdtemp(join(tmpdir(), "gatehouse-bench-gateway-"));
  const targets: Target[] = [];
  let reports: TargetReport[];
  let verification: string[];
  try {
    log("starting the backend");
    const backend = await spawnTarget({ kind: "backend" });
    targets.push({
      key: "direct",
      label: "direct (backend)",
      url: backend.origin + ITEM_PATH,
      checksTokens: false,
      close: backend.close,
    });
    await startTargets(s, targets, backend.origin, {
      openIdConfigUrl: issuer.openIdConfigUrl,
      publicKeyPem: tokens.publicKeyPem,
      workDir,
      haproxyVersion,
    });
    const measured = targets.filter((t) => s.only.has(t.key));
    log("verifying every target before the load");
    verification = await verifyTargets(measured, tokens.valid, tokens.invalid);
    reports = await runRounds(s, generator, measured, tokens.valid);
  } finally {
    await Promise.allSettled(targets.map((t) => t.close()));
    await issuer.close();
    await rm(workDir, { recursive: true, force: true });
  }

  const by = (key: TargetKey) => reports.find((r) => r.key === key);
  const ratio = (a: TargetKey, b: TargetKey) => {
    const x = by(a);
    const y = by(b);
    return x && y && y.requestsPerSec > 0 ? x.requestsPerSec / y.requestsPerSec : undefined;
  };
  const ratios = {
    gatehouseOverFastify: ratio("gatehouse", "fastify"),
    gatehouseOverHaproxy: ratio("gatehouse", "haproxy"),
    gatehouseOverDirect: ratio("gatehouse", "direct"),
    workersOverFastify: ratio("workers", "fastify"),
    workersOverHaproxy: ratio("workers", "haproxy"),
    routingApisOverTenApis: ratio("routing", "gatehouse"),
  };
  const fastify = by("fastify");
  const twiceFastify = (key: TargetKey, r: number | undefined) => {
    const t = by(key);
    return r === undefined || !t || !fastify ? undefined : r >= 2 && t.p99Ms <= fastify.p99Ms;
  };
  const aims = {
    twiceFastifyWithNoWorseP99: twiceFastify("gatehouse", ratios.gatehouseOverFastify),
    halfOfHaproxy: ratios.gatehouseOverHaproxy === undefined ? undefined : ratios.gatehouseOverHaproxy >= 0.5,
    workersTwiceFastifyWithNoWorseP99: twiceFastify("workers", ratios.workersOverFastify),
    workersHalfOfHaproxy: ratios.workersOverHaproxy === undefined ? undefined : ratios.workersOverHaproxy >= 0.5,
    routingWithin10Percent:
      ratios.routingApisOverTenApis === undefined ? undefined : Math.abs(ratios.routingApisOverTenApis - 1) < 0.1,
  };
  const loadavgEnd = loadavg();
  printReport(s, generator, loadavgStart, verification, reports, ratios, aims);

  const json = {
    benchmark: "gateway",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      durationSec: s.durationSec,
      rounds: s.rounds,
      warmupSec: WARMUP_SEC,
      connections: s.connections,
      routingApis: s.routingApis,
      peerCache: s.peerCache,
      loadGenerator: generator.name,
      haproxy: haproxyVersion || null,
    },
    machine: machineInfo(loadavgStart, loadavgEnd),
    verification,
    targets: reports,
    ratios,
    aims,
  };
  await saveResults("gateway", startedAt, json);
}

/** Starts every selected proxy in front of the backend, adding each to `targets` as soon as it runs (for cleanup). */
async function startTargets(
  s: Settings,
  targets: Target[],
  backendOrigin: string,
  o: { openIdConfigUrl: string; publicKeyPem: string; workDir: string; haproxyVersion: string },
): Promise<void> {
  const apiUrl = (origin: string) => origin + API_PREFIX + ITEM_PATH;
  const gatehouse = async (key: TargetKey, apiCount: number, gatewayWorkers = 1) => {
    log(`starting Gatehouse with ${apiCount.toLocaleString("en-US")} APIs`);
    const t0 = Date.now();
    const gw = await startGatehouseGateway({
      backendOrigin,
      openIdConfigUrl: o.openIdConfigUrl,
      audience: AUDIENCE,
      apiCount,
      gatewayWorkers,
    });
    log(
      `  Gatehouse with ${apiCount.toLocaleString("en-US")} APIs started in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const processes = gatewayWorkers > 1 ? `, ${gatewayWorkers} workers` : "";
    const label = `gatehouse (validate-jwt, ${apiCount.toLocaleString("en-US")} APIs${processes})`;
    targets.push({ key, label, url: apiUrl(gw.origin), checksTokens: true, close: gw.close });
  };
  if (s.only.has("gatehouse")) await gatehouse("gatehouse", 10);
  if (s.only.has("workers")) await gatehouse("workers", 10, s.gatewayWorkers);
  if (s.only.has("fastify")) {
    log("starting the fastify peer");
    const peer = await spawnTarget({
      kind: "fastify",
      backendOrigin,
      publicKeyPem: o.publicKeyPem,
      audience: AUDIENCE,
      verifyCache: s.peerCache,
    });
    const label = `fastify + @fastify/jwt${s.peerCache ? " (cache)" : ""} + http-proxy`;
    targets.push({ key: "fastify", label, url: apiUrl(peer.origin), checksTokens: true, close: peer.close });
  }
  if (s.only.has("haproxy")) {
    log(`starting ${o.haproxyVersion}`);
    const haproxy = await startHaproxy({
      backendOrigin,
      publicKeyPem: o.publicKeyPem,
      audience: AUDIENCE,
      workDir: o.workDir,
    });
    const version = /version (\d+\.\d+)/.exec(o.haproxyVersion)?.[1] ?? "";
    targets.push({
      key: "haproxy",
      label: `haproxy ${version} (jwt_verify)`,
      url: apiUrl(haproxy.origin),
      checksTokens: true,
      close: haproxy.close,
    });
  }
  if (s.only.has("bare")) {
    log("starting the bare node proxy");
    const bare = await spawnTarget({ kind: "bare", backendOrigin });
    targets.push({
      key: "bare",
      label: "bare node proxy (no token check)",
      url: apiUrl(bare.origin),
      checksTokens: false,
      close: bare.close,
    });
  }
  if (s.only.has("routing")) await gatehouse("routing", s.routingApis);
}

/**
 * This machine is shared and noisy, so one pass per target says little. The targets are measured in interleaved
 * rounds, the order reversed every other round, and the median round of each is reported, so a passing disturbance
 * hits one round of one target rather than a ratio.
 */
async function runRounds(
  s: Settings,
  generator: LoadGenerator,
  targets: Target[],
  token: string,
): Promise<TargetReport[]> {
  const results = new Map<TargetKey, LoadResult[]>(targets.map((t) => [t.key, []]));
  for (let round = 1; round <= s.rounds; round++) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const t of order) {
      log(
        `round ${round}/${s.rounds}: ${t.label}, ${WARMUP_SEC} s warm-up + ${s.durationSec} s, ${s.connections} connections`,
      );
      const result = await generator.run({
        url: t.url,
        // Every target gets the same request, token included; those that check none just forward it.
        authorization: `Bearer ${token}`,
        connections: s.connections,
        durationSec: s.durationSec,
        warmupSec: WARMUP_SEC,
      });
      results.get(t.key)?.push(result);
    }
  }
  return targets.map((t) => {
    const rounds = results.get(t.key) ?? [];
    return {
      key: t.key,
      label: t.label,
      ...medianBy(rounds, (r) => r.requestsPerSec),
      rounds: rounds.map((r) => r.requestsPerSec),
    };
  });
}

function printReport(
  s: Settings,
  generator: LoadGenerator,
  load: number[],
  verification: string[],
  reports: TargetReport[],
  ratios: Record<string, number | undefined>,
  aims: Record<string, boolean | undefined>,
): void {
  const f0 = (n: number): string => Math.round(n).toLocaleString("en-US");
  const ms = (n: number): string => n.toFixed(2);
  const row = (cells: string[], widths: number[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const widths = [42, 9, 7, 7, 7, 7];
  const out: string[] = [];
  out.push("\nVerified before the load (valid token accepted, bad ones refused):");
  for (const line of verification) out.push(`  ${line}`);
  out.push(
    `\nGateway benchmark: median of ${s.rounds} interleaved rounds of ${s.durationSec} s (after ${WARMUP_SEC} s warm-up), ` +
      `${s.connections} connections, ${generator.name}, ${availableParallelism()} cores, ` +
      `load avg at start ${load.map((l) => l.toFixed(2)).join(" ")}`,
  );
  out.push(row(["target", "req/s", "p50 ms", "p99 ms", "non2xx", "errors"], widths));
  for (const t of reports) {
    const cells = [t.label, f0(t.requestsPerSec), ms(t.p50Ms), ms(t.p99Ms), String(t.non2xx), String(t.errors)];
    out.push(`${row(cells, widths)}   rounds: ${t.rounds.map(f0).join(", ")}`);
  }
  const verdict = (v: boolean | undefined) => (v === undefined ? "" : v ? "met" : "NOT met");
  const ratioRows: [string, number | undefined, string][] = [
    [
      "gatehouse / fastify peer",
      ratios.gatehouseOverFastify,
      `aim ≥ 2 with p99 no worse: ${verdict(aims.twiceFastifyWithNoWorseP99)}`,
    ],
    ["gatehouse / haproxy", ratios.gatehouseOverHaproxy, `aim ≥ 0.5: ${verdict(aims.halfOfHaproxy)}`],
    [
      `gatehouse ${s.gatewayWorkers} workers / fastify peer`,
      ratios.workersOverFastify,
      `aim ≥ 2 with p99 no worse: ${verdict(aims.workersTwiceFastifyWithNoWorseP99)}`,
    ],
    [
      `gatehouse ${s.gatewayWorkers} workers / haproxy`,
      ratios.workersOverHaproxy,
      `aim ≥ 0.5: ${verdict(aims.workersHalfOfHaproxy)}`,
    ],
    ["gatehouse / direct", ratios.gatehouseOverDirect, ""],
    [
      `gatehouse ${s.routingApis.toLocaleString("en-US")} APIs / 10 APIs`,
      ratios.routingApisOverTenApis,
      `aim within ±10%: ${verdict(aims.routingWithin10Percent)}`,
    ],
  ];
  out.push("");
  for (const [label, value, note] of ratioRows) {
    if (value !== undefined)
      out.push(`${row([label, value.toFixed(2)], widths.slice(0, 2))}${note ? `   ${note}` : ""}`);
  }
  for (const t of reports) {
    if (t.non2xx > 0 || t.errors > 0) {
      out.push(
        `WARNING: ${t.label} had ${t.non2xx} error responses and ${t.errors} errors; its rate counts successes only.`,
      );
    }
  }
  console.log(out.join("\n"));
}

main().catch((err: unknown) => {
  console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
