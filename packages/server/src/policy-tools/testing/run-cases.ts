/** Runs the cases of policy test files in order, each file against its own offline gateway and counter state. */
import { CaseFileError, loadCaseFile, type SuiteCase } from "./case-file.js";
import { compare, describeStatus, type Mismatch } from "./expectations.js";
import { OfflineGateway, type Exchange } from "./offline-gateway.js";

export interface CaseResult {
  name: string;
  passed: boolean;
  /** Requests sent (`repeat`). */
  runs: number;
  /** The first run (1-based) that did not match, and how; empty when the case passed. */
  failedRun: number | undefined;
  mismatches: Mismatch[];
  /** What the last run produced, for the report. */
  actual: {
    status: number;
    detail: string;
    lastError: { source: string; reason: string; message: string } | undefined;
    backendUrl: string | undefined;
  };
}

export interface FileResult {
  file: string;
  cases: CaseResult[];
  /** Why the file could not be run (unreadable, invalid, a document that does not load). */
  problem: string | undefined;
}

export async function runCaseFile(file: string): Promise<FileResult> {
  let gateway: OfflineGateway;
  let cases: SuiteCase[];
  try {
    const suite = await loadCaseFile(file);
    gateway = OfflineGateway.open(suite);
    cases = suite.cases;
  } catch (error) {
    if (error instanceof CaseFileError) return { file, cases: [], problem: error.message };
    throw error;
  }
  try {
    const results: CaseResult[] = [];
    for (const testCase of cases) results.push(await runCase(gateway, testCase));
    return { file, cases: results, problem: undefined };
  } finally {
    await gateway.close();
  }
}

/** Every repetition runs (later cases count on the counters they leave); the first mismatch is reported. */
async function runCase(gateway: OfflineGateway, testCase: SuiteCase): Promise<CaseResult> {
  let failedRun: number | undefined;
  let mismatches: Mismatch[] = [];
  let last: Exchange | undefined;
  for (let run = 1; run <= testCase.repeat; run++) {
    let exchange: Exchange;
    try {
      exchange = await gateway.send(testCase);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return failed(testCase, run, [{ field: "request", expected: "a response", actual: `error: ${message}` }], last);
    }
    last = exchange;
    const found = testCase.expectEach ? compare(testCase.expectEach, exchange) : [];
    if (run === testCase.repeat && testCase.expect) found.push(...compare(testCase.expect, exchange));
    if (found.length > 0 && failedRun === undefined) {
      failedRun = run;
      mismatches = found;
    }
  }
  if (failedRun !== undefined) return failed(testCase, failedRun, mismatches, last);
  return {
    name: testCase.name,
    passed: true,
    runs: testCase.repeat,
    failedRun: undefined,
    mismatches: [],
    actual: actualOf(last),
  };
}

function failed(testCase: SuiteCase, run: number, mismatches: Mismatch[], last: Exchange | undefined): CaseResult {
  return {
    name: testCase.name,
    passed: false,
    runs: testCase.repeat,
    failedRun: run,
    mismatches,
    actual: actualOf(last),
  };
}

function actualOf(exchange: Exchange | undefined): CaseResult["actual"] {
  if (exchange === undefined) return { status: 0, detail: "no response", lastError: undefined, backendUrl: undefined };
  const { lastError } = exchange;
  return {
    status: exchange.status,
    detail: describeStatus(exchange),
    lastError: lastError && { source: lastError.source, reason: lastError.reason, message: lastError.message },
    backendUrl: exchange.backendCalls.at(-1)?.url,
  };
}
