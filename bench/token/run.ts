// CLI entry: `node --import tsx bench/token/run.ts [--duration 10] [--connections 32] --gatehouse-url ... --gatehouse-form ...`
import { LOAD_OPTIONS, loadSettings } from "../shared/load-settings.js";
import { machineInfo, medianBy, saveResults } from "../shared/results.js";
import { readFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { gatehouseTarget, type GatehouseTarget } from "./gatehouse-target.js";
import { assertJwtTokenResponse, postForm, type FormResponse, type TokenCheck } from "./http-form.js";
import { runLoad, type LoadResult } from "./load.js";
import { startPeer } from "./peer.js";
import { measureRawSigning, type RawSigningResult } from "./raw-signing.js";

const WARMUP_SEC = 2;

interface Settings {
  durationSec: number;
  /** Peer, Gatehouse and all-core signing are measured this many times, interleaved; medians are reported. */
  rounds: number;
  connections: number;
  gatehouseUrl?: string;
  gatehouseForm?: string;
  gatehouseCaPath?: string;
  /** Hidden: benchmark a second oidc-provider in the Gatehouse slot, to check the harness itself. */
  selfTest: boolean;
}

interface TargetReport extends LoadResult, TokenCheck {
  label: string;
  tokenUrl: string;
  /** tokens/s of every round; the other fields are those of the median round. */
  rounds?: number[];
}

const USAGE = `Usage: node --import tsx bench/token/run.ts [options]
  --duration <s>            measured seconds per phase (default 5, env BENCH_DURATION)
  --rounds <n>              interleaved rounds of peer, Gatehouse and all-core signing; medians (default 3)
  --connections <n>         concurrent keep-alive connections (default 32, env BENCH_CONNECTIONS)
  --gatehouse-url <url>     Gatehouse token endpoint (env GATEHOUSE_TOKEN_URL)
  --gatehouse-form <body>   urlencoded token request body (env GATEHOUSE_TOKEN_FORM)
  --gatehouse-ca <file>     PEM CA for an HTTPS Gatehouse (env GATEHOUSE_CA)`;

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...LOAD_OPTIONS,
      "gatehouse-url": { type: "string" },
      "gatehouse-form": { type: "string" },
      "gatehouse-ca": { type: "string" },
      "self-test": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const env = process.env;
  return {
    ...loadSettings(values),
    gatehouseUrl: values["gatehouse-url"] ?? env.GATEHOUSE_TOKEN_URL,
    gatehouseForm: values["gatehouse-form"] ?? env.GATEHOUSE_TOKEN_FORM,
    gatehouseCaPath: values["gatehouse-ca"] ?? env.GATEHOUSE_CA,
    selfTest: values["self-test"] ?? false,
  };
}

const log = (msg: string): void => console.error(`[bench] ${msg}`);

async function measureTarget(
  label: string,
  target: { tokenUrl: string; form: Record<string, string>; ca?: string },
  check: TokenCheck,
  s: Settings,
): Promise<TargetReport> {
  log(`${label}: ${WARMUP_SEC} s warm-up + ${s.durationSec} s measured, ${s.connections} connections`);
  const result = await runLoad({
    url: target.tokenUrl,
    form: target.form,
    connections: s.connections,
    durationSec: s.durationSec,
    warmupSec: WARMUP_SEC,
    ...(target.ca ? { ca: target.ca } : {}),
  });
  return { label, tokenUrl: target.tokenUrl, ...check, ...result };
}

async function verifyGatehouse(target: GatehouseTarget): Promise<TokenCheck> {
  let res: FormResponse;
  try {
    res = await postForm(target.tokenUrl, target.form, target.ca);
  } catch (err) {
    const hint = target.tokenUrl.startsWith("https:") && !target.ca ? " (private CA? pass --gatehouse-ca <pem>)" : "";
    throw new Error(`gatehouse: POST ${target.tokenUrl} failed: ${(err as Error).message}${hint}`, { cause: err });
  }
  return assertJwtTokenResponse("gatehouse", res);
}

async function main(): Promise<void> {
  const s = parseSettings(process.argv.slice(2));
  const threads = availableParallelism();
  // Hard stop in case anything hangs: phases + warm-ups + a generous allowance for process/worker start-up.
  const budgetSec = (1 + 3 * s.rounds) * s.durationSec + 2 * s.rounds * WARMUP_SEC + 60;
  setTimeout(() => {
    console.error(`[bench] aborting: exceeded the ${budgetSec} s budget`);
    process.exit(2);
  }, budgetSec * 1000).unref();

  const startedAt = new Date();
  const loadavgStart = loadavg();

  // Resolve and verify the Gatehouse target first so a bad URL/form fails in seconds, not after the other phases.
  const gatehouse = s.selfTest
    ? await startPeer()
    : await gatehouseTarget({
        url: s.gatehouseUrl,
        form: s.gatehouseForm,
        ...(s.gatehouseCaPath ? { ca: await readFile(s.gatehouseCaPath, "utf8") } : {}),
      });
  const gatehouseLabel = s.selfTest ? "gatehouse (SELF-TEST: 2nd peer)" : "gatehouse";
  let report: Awaited<ReturnType<typeof runPhases>>;
  try {
    const gatehouseCheck = await verifyGatehouse(gatehouse);
    report = await runPhases(s, threads, gatehouse, gatehouseLabel, gatehouseCheck);
  } finally {
    await gatehouse.close();
  }

  const { rawSingle, rawAll, peer, gh } = report;
  const ratios = {
    gatehouseOverPeer: gh.requestsPerSec / peer.requestsPerSec,
    gatehouseOverRawAllCores: gh.requestsPerSec / rawAll.signsPerSec,
    peerOverRawAllCores: peer.requestsPerSec / rawAll.signsPerSec,
  };
  const loadavgEnd = loadavg();
  printTable(s, threads, loadavgStart, rawSingle, rawAll, [gh, peer], ratios);

  const json = {
    benchmark: "token",
    selfTest: s.selfTest,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { durationSec: s.durationSec, rounds: s.rounds, warmupSec: WARMUP_SEC, connections: s.connections },
    machine: machineInfo(loadavgStart, loadavgEnd),
    rawSigning: { keyBits: 2048, singleThread: rawSingle, allCores: rawAll },
    peer,
    gatehouse: gh,
    ratios,
  };
  await saveResults("token", startedAt, json);
}

/**
 * This machine is shared and noisy, so one pass per target says little. The targets are measured in interleaved
 * rounds (the order flips every round) and the median round of each is reported, so a passing disturbance hits
 * one round of one target rather than the ratio.
 */
async function runPhases(
  s: Settings,
  threads: number,
  gatehouse: GatehouseTarget,
  gatehouseLabel: string,
  gatehouseCheck: TokenCheck,
): Promise<{ rawSingle: RawSigningResult; rawAll: RawSigningResult; peer: TargetReport; gh: TargetReport }> {
  log(`raw RS256 signing: 1 thread, ${s.durationSec} s`);
  const rawSingle = await measureRawSigning(s.durationSec * 1000, 1);

  log("starting peer (oidc-provider)");
  const peerTarget = await startPeer();
  const rawRounds: RawSigningResult[] = [];
  const peerRounds: TargetReport[] = [];
  const ghRounds: TargetReport[] = [];
  try {
    const peerCheck = assertJwtTokenResponse("peer", await postForm(peerTarget.tokenUrl, peerTarget.form));
    for (let round = 1; round <= s.rounds; round++) {
      log(`round ${round}/${s.rounds}: raw RS256 signing, ${threads} threads, ${s.durationSec} s`);
      rawRounds.push(await measureRawSigning(s.durationSec * 1000, threads));
      const measurePeer = async () =>
        peerRounds.push(await measureTarget("peer (oidc-provider)", peerTarget, peerCheck, s));
      const measureGatehouse = async () =>
        ghRounds.push(await measureTarget(gatehouseLabel, gatehouse, gatehouseCheck, s));
      if (round % 2 === 1) {
        await measurePeer();
        await measureGatehouse();
      } else {
        await measureGatehouse();
        await measurePeer();
      }
    }
  } finally {
    await peerTarget.close();
  }
  return {
    rawSingle,
    rawAll: medianBy(rawRounds, (r) => r.signsPerSec),
    peer: { ...medianBy(peerRounds, (r) => r.requestsPerSec), rounds: peerRounds.map((r) => r.requestsPerSec) },
    gh: { ...medianBy(ghRounds, (r) => r.requestsPerSec), rounds: ghRounds.map((r) => r.requestsPerSec) },
  };
}

function printTable(
  s: Settings,
  threads: number,
  load: number[],
  rawSingle: RawSigningResult,
  rawAll: RawSigningResult,
  targets: TargetReport[],
  ratios: { gatehouseOverPeer: number; gatehouseOverRawAllCores: number; peerOverRawAllCores: number },
): void {
  const f0 = (n: number): string => Math.round(n).toLocaleString("en-US");
  const row = (cells: string[], widths: number[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const widths = [34, 10, 8, 8, 7, 7, 14];
  const out: string[] = [];
  out.push(
    `\nToken endpoint benchmark: median of ${s.rounds} interleaved rounds of ${s.durationSec} s (after ${WARMUP_SEC} s warm-up), ${s.connections} connections, ` +
      `${threads} cores, load avg at start ${load.map((l) => l.toFixed(2)).join(" ")}`,
  );
  out.push(row(["target", "tokens/s", "p50 ms", "p99 ms", "non2xx", "errors", "token"], widths));
  const perRound = (t: TargetReport) => (t.rounds ? `   rounds: ${t.rounds.map(f0).join(", ")}` : "");
  for (const t of targets) {
    const token = `${t.alg}, ${t.tokenLength} B`;
    out.push(
      row(
        [t.label, f0(t.requestsPerSec), String(t.p50), String(t.p99), String(t.non2xx), String(t.errors), token],
        widths,
      ) + perRound(t),
    );
  }
  out.push("");
  out.push(row(["raw RS256 sign (2048-bit)", "signs/s"], widths.slice(0, 2)));
  out.push(row([`  1 thread`, f0(rawSingle.signsPerSec)], widths.slice(0, 2)));
  out.push(row([`  ${rawAll.threads} threads (all cores, median)`, f0(rawAll.signsPerSec)], widths.slice(0, 2)));
  out.push("");
  out.push(row(["ratio", "value"], widths.slice(0, 2)));
  out.push(row(["  gatehouse / peer", ratios.gatehouseOverPeer.toFixed(2)], widths.slice(0, 2)));
  out.push(row(["  gatehouse / raw all cores", ratios.gatehouseOverRawAllCores.toFixed(2)], widths.slice(0, 2)));
  out.push(row(["  peer / raw all cores", ratios.peerOverRawAllCores.toFixed(2)], widths.slice(0, 2)));
  for (const t of targets) {
    if (t.non2xx > 0 || t.errors > 0) {
      out.push(
        `WARNING: ${t.label} had ${t.non2xx} non-2xx responses and ${t.errors} errors; its rate counts 2xx only.`,
      );
    }
  }
  console.log(out.join("\n"));
}

main().catch((err: unknown) => {
  console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
