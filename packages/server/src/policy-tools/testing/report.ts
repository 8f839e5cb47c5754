/** The results of `gatehouse policy test` as a pass/fail table or as JSON, and the command's exit code. */
import type { Mismatch } from "./expectations.js";
import type { CaseResult, FileResult } from "./run-cases.js";

export interface Summary {
  files: number;
  cases: number;
  passed: number;
  failed: number;
  /** Files that could not be run. */
  problems: number;
}

export function summarize(results: readonly FileResult[]): Summary {
  const cases = results.flatMap((r) => r.cases);
  const passed = cases.filter((c) => c.passed).length;
  return {
    files: results.length,
    cases: cases.length,
    passed,
    failed: cases.length - passed,
    problems: results.filter((r) => r.problem !== undefined).length,
  };
}

/** 2 when a file could not be run, 1 when a case failed, else 0. */
export function exitCode(summary: Summary): number {
  if (summary.problems > 0) return 2;
  return summary.failed > 0 ? 1 : 0;
}

const MAX_NAME = 60;
const MAX_DETAIL = 160;

export function renderTable(results: readonly FileResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    // A file that could not be run is reported on its own (stderr) and counted in the summary.
    if (result.problem !== undefined) continue;
    lines.push(result.file);
    const names = result.cases.map(caseLabel);
    const width = Math.max(4, ...names.map((n) => n.length));
    lines.push(`  ${"case".padEnd(width)}  result  detail`);
    result.cases.forEach((c, i) => {
      const row = `  ${(names[i] as string).padEnd(width)}  ${c.passed ? "pass  " : "FAIL  "}  ${c.passed ? "" : failureDetail(c)}`;
      lines.push(row.trimEnd());
    });
    lines.push("");
  }
  lines.push(summaryLine(summarize(results)));
  return `${lines.join("\n")}\n`;
}

export function renderJson(results: readonly FileResult[]): string {
  return `${JSON.stringify({ summary: summarize(results), files: results }, null, 2)}\n`;
}

function summaryLine(summary: Summary): string {
  const files = summary.files === 1 ? "1 file" : `${summary.files} files`;
  const cases = summary.cases === 1 ? "1 case" : `${summary.cases} cases`;
  const problems = summary.problems > 0 ? `, ${summary.problems} not run` : "";
  return `${files}, ${cases}: ${summary.passed} passed, ${summary.failed} failed${problems}`;
}

function caseLabel(result: CaseResult): string {
  const name = result.name.length > MAX_NAME ? `${result.name.slice(0, MAX_NAME - 1)}…` : result.name;
  return result.runs > 1 ? `${name} (×${result.runs})` : name;
}

/** The first mismatch, expected against actual, and how many more there are. */
function failureDetail(result: CaseResult): string {
  const [first] = result.mismatches;
  if (first === undefined) return "";
  const run = result.runs > 1 ? `run ${result.failedRun}: ` : "";
  const more = result.mismatches.length > 1 ? ` (+${result.mismatches.length - 1} more)` : "";
  const text = `${run}${describeMismatch(first)}`;
  return `${text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text}${more}`;
}

export function describeMismatch(mismatch: Mismatch): string {
  return `${mismatch.field}: expected ${mismatch.expected}, got ${mismatch.actual}`;
}
