// CLI entry: `node --import tsx bench/middleware/run.ts [--duration 5] [--rounds 3] [--connections 32]`
import { LOAD_OPTIONS, loadSettings, type LoadSettings } from "../shared/load-settings.js";
import { machineInfo, saveResults } from "../shared/results.js";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { DEMO } from "../../packages/server/src/demo/config.js";
import { loadGenerator, type LoadGenerator, type LoadResult } from "../gateway/load.js";
import { gatehouseTarget } from "../token/gatehouse-target.js";
import { RECORDS, spawnApi, type ApiRequest, type SpawnedApi } from "./spawn-api.js";

const WARMUP_SEC = 2;

type Settings = LoadSettings;

interface Variant {
  key: "open" | "protected" | "uncached";
  label: string;
  request: (authority: string) => ApiRequest;
}

const protection = (authority: string, cacheSize: number): ApiRequest => ({
  protection: { authority, audience: DEMO.resourceAppId, role: DEMO.role, cacheSize },
});

const VARIANTS: Variant[] = [
  { key: "open", label: "unprotected", request: () => ({}) },
  { key: "protected", label: "requireAuth + requireRole", request: (a) => protection(a, 1000) },
  { key: "uncached", label: "requireAuth + requireRole, cacheSize 0", request: (a) => protection(a, 0) },
];

interface Report extends LoadResult {
  key: Variant["key"];
  label: string;
  /** requests/s of every round; the other fields are the median round's. */
  rounds: number[];
}

const log = (msg: string): void => console.error(`[bench] ${msg}`);

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({ args: argv, strict: true, options: LOAD_OPTIONS });
  return loadSettings(values);
}

async function main(): Promise<void> {
  const s = parseSettings(process.argv.slice(2));
  const startedAt = new Date();
  const loadavgStart = loadavg();
  const budgetSec = VARIANTS.length * s.rounds * (s.durationSec + WARMUP_SEC + 5) + 120;
  setTimeout(() => {
    console.error(`[bench] aborting: exceeded the ${budgetSec} s budget`);
    process.exit(2);
  }, budgetSec * 1000).unref();
  const generator = loadGenerator();

  log("starting Gatehouse (demo registrations, plain HTTP on loopback)");
  const gatehouse = await gatehouseTarget();
  const apis: (SpawnedApi & { variant: Variant })[] = [];
  let reports: Report[];
  let verification: string[];
  try {
    const token = await fetchToken(gatehouse.tokenUrl, gatehouse.form);
    const authority = gatehouse.tokenUrl.replace(/\/oauth2\/v2\.0\/token$/, "");
    for (const variant of VARIANTS) {
      log(`starting the ${variant.label} API`);
      apis.push({ ...(await spawnApi(variant.request(authority))), variant });
    }
    verification = await verify(apis, token);
    reports = await runRounds(s, generator, apis, token);
  } finally {
    await Promise.allSettled(apis.map((a) => a.close()));
    await gatehouse.close();
  }

  const open = reports.find((r) => r.key === "open");
  const ratio = (key: Variant["key"]) => {
    const r = reports.find((x) => x.key === key);
    return r && open && open.requestsPerSec > 0 ? r.requestsPerSec / open.requestsPerSec : undefined;
  };
  const ratios = { protectedOverOpen: ratio("protected"), uncachedOverOpen: ratio("uncached") };
  const overhead = ratios.protectedOverOpen === undefined ? undefined : 1 - ratios.protectedOverOpen;
  const aim = { overheadUnder15Percent: overhead === undefined ? undefined : overhead < 0.15 };
  const loadavgEnd = loadavg();
  printReport(s, generator, loadavgStart, verification, reports, ratios, aim.overheadUnder15Percent);

  const json = {
    benchmark: "middleware",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { ...s, warmupSec: WARMUP_SEC, loadGenerator: generator.name },
    machine: machineInfo(loadavgStart, loadavgEnd),
    verification,
    variants: reports,
    ratios,
    aim,
  };
  await saveResults("middleware", startedAt, json);
}

async function fetchToken(tokenUrl: string, form: Record<string, string>): Promise<string> {
  const res = await fetch(tokenUrl, { method: "POST", body: new URLSearchParams(form) });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`Gatehouse issued no token (${res.status})`);
  return body.access_token;
}

/**
 * Before any load, shows each API does what it is measured doing: the same 200 body for the valid token; the
 * protected ones refuse no token and a token with a changed signature. A failure voids the comparison.
 */
async function verify(apis: (SpawnedApi & { variant: Variant })[], token: string): Promise<string[]> {
  const expected = JSON.stringify(RECORDS);
  const get = async (url: string, authorization?: string) => {
    const res = await fetch(url, {
      headers: authorization ? { authorization } : {},
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.text(), challenge: res.headers.get("www-authenticate") };
  };
  const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
  const lines: string[] = [];
  const failures: string[] = [];
  const check = (ok: boolean, line: string) => (ok ? lines : failures).push(line);
  for (const api of apis) {
    const url = `${api.origin}/records`;
    const valid = await get(url, `Bearer ${token}`);
    check(valid.status === 200 && valid.body === expected, `${api.variant.label}: valid token → ${valid.status}`);
    if (api.variant.key === "open") continue;
    const none = await get(url);
    check(none.status === 401 && none.challenge === "Bearer", `${api.variant.label}: no token → ${none.status}`);
    const bad = await get(url, `Bearer ${tampered}`);
    const invalid = bad.status === 401 && (bad.challenge ?? "").includes('error="invalid_token"');
    check(invalid, `${api.variant.label}: changed signature → ${bad.status}`);
  }
  if (failures.length > 0) throw new Error(`the comparison is void:\n  ${failures.join("\n  ")}`);
  return lines;
}

/**
 * The variants are measured in interleaved rounds, the order reversed every other round, and the median round of
 * each is reported, so a passing disturbance on this shared machine hits one round rather than the ratio.
 */
async function runRounds(
  s: Settings,
  generator: LoadGenerator,
  apis: (SpawnedApi & { variant: Variant })[],
  token: string,
): Promise<Report[]> {
  const results = new Map<Variant["key"], LoadResult[]>(apis.map((a) => [a.variant.key, []]));
  for (let round = 1; round <= s.rounds; round++) {
    for (const api of round % 2 === 1 ? apis : [...apis].reverse()) {
      log(`round ${round}/${s.rounds}: ${api.variant.label}, ${WARMUP_SEC} s warm-up + ${s.durationSec} s`);
      const result = await generator.run({
        url: `${api.origin}/records`,
        // Every variant gets the same request, token included; the unprotected one ignores it.
        authorization: `Bearer ${token}`,
        connections: s.connections,
        durationSec: s.durationSec,
        warmupSec: WARMUP_SEC,
      });
      results.get(api.variant.key)?.push(result);
    }
  }
  return apis.map(({ variant }) => {
    const rounds = results.get(variant.key) ?? [];
    const sorted = [...rounds].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    if (median === undefined) throw new Error("no rounds were measured");
    return { key: variant.key, label: variant.label, ...median, rounds: rounds.map((r) => r.requestsPerSec) };
  });
}

function printReport(
  s: Settings,
  generator: LoadGenerator,
  load: number[],
  verification: string[],
  reports: Report[],
  ratios: { protectedOverOpen: number | undefined; uncachedOverOpen: number | undefined },
  aimMet: boolean | undefined,
): void {
  const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
  const pct = (ratio: number | undefined) => (ratio === undefined ? "?" : `${((1 - ratio) * 100).toFixed(1)}%`);
  const widths = [40, 9, 7, 7, 7, 7];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = ["\nVerified before the load:", ...verification.map((l) => `  ${l}`)];
  out.push(
    `\nMiddleware benchmark: Express 5, GET /records, median of ${s.rounds} interleaved rounds of ${s.durationSec} s ` +
      `(after ${WARMUP_SEC} s warm-up), ${s.connections} connections, ${generator.name}, ` +
      `${availableParallelism()} cores, load avg at start ${load.map((l) => l.toFixed(2)).join(" ")}`,
  );
  out.push(row(["variant", "req/s", "p50 ms", "p99 ms", "non2xx", "errors"]));
  for (const r of reports) {
    const cells = [r.label, f0(r.requestsPerSec), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), `${r.non2xx}`, `${r.errors}`];
    out.push(`${row(cells)}   rounds: ${r.rounds.map(f0).join(", ")}`);
  }
  const verdict = aimMet === undefined ? "" : aimMet ? "met" : "NOT met";
  out.push(
    "",
    `protected / unprotected: ${ratios.protectedOverOpen?.toFixed(3) ?? "?"}  overhead ${pct(ratios.protectedOverOpen)}` +
      `   aim under 15%: ${verdict}`,
    `cacheSize 0 / unprotected: ${ratios.uncachedOverOpen?.toFixed(3) ?? "?"}  overhead ${pct(ratios.uncachedOverOpen)}` +
      "   (an RS256 verification on every request)",
  );
  for (const r of reports) {
    if (r.non2xx > 0 || r.errors > 0) out.push(`WARNING: ${r.label}: ${r.non2xx} error responses, ${r.errors} errors.`);
  }
  console.log(out.join("\n"));
}

main().catch((err: unknown) => {
  console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
