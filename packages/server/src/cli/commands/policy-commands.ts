import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import type { PolicyScopeKind } from "../../gateway/model/configuration.js";
import { lintPolicy, type Diagnostic } from "../../policy-tools/lint/lint.js";
import { NamedValuesFileError, readNamedValues } from "../../policy-tools/lint/named-values.js";
import { renderCount, renderDiagnostics } from "../../policy-tools/lint/report.js";
import { exitCode, renderJson, renderTable, summarize } from "../../policy-tools/testing/report.js";
import { runCaseFile, type FileResult } from "../../policy-tools/testing/run-cases.js";

/** Exit code of a file that cannot be used (unreadable, invalid, a document that does not load). */
const FILE_PROBLEM = 2;

export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command("policy")
    .description("test and lint API Management policy documents offline, without a running Gatehouse");

  policy
    .command("test")
    .description("run the cases of policy test files offline; exit 1 when a case fails, 2 when a file cannot be run")
    .argument("<files...>", "case files (YAML)")
    .option("--json", "print the results as JSON")
    .action(async (files: string[], flags: { json?: boolean }) => {
      const results: FileResult[] = [];
      for (const file of files) results.push(await runCaseFile(file));
      if (flags.json) {
        process.stdout.write(renderJson(results));
      } else {
        for (const { problem } of results) if (problem !== undefined) process.stderr.write(`${problem}\n`);
        process.stdout.write(renderTable(results));
      }
      process.exitCode = exitCode(summarize(results));
    });

  policy
    .command("lint")
    .description("report every problem of policy documents (file:line:column); exit 1 when there is an error")
    .argument("<files...>", "policy documents (XML)")
    .addOption(
      new Option("--scope <scope>", "the scope the documents are for")
        .choices(["global", "product", "api", "operation"])
        .default("api"),
    )
    .option("--named-values <file>", "YAML map of named values: then an unknown {{name}} is an error")
    .action(async (files: string[], flags: { scope: PolicyScopeKind; namedValues?: string }) => {
      let namedValues: Map<string, string> | undefined;
      try {
        namedValues = flags.namedValues === undefined ? undefined : await readNamedValues(flags.namedValues);
      } catch (error) {
        if (!(error instanceof NamedValuesFileError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = FILE_PROBLEM;
        return;
      }
      const all: Diagnostic[] = [];
      let unreadable = false;
      for (const file of files) {
        let xml: string;
        try {
          xml = await readFile(file, "utf8");
        } catch (error) {
          process.stderr.write(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"})\n`);
          unreadable = true;
          continue;
        }
        const diagnostics = lintPolicy(xml, { scope: flags.scope, namedValues });
        process.stdout.write(renderDiagnostics(file, diagnostics));
        all.push(...diagnostics);
      }
      process.stdout.write(renderCount(all));
      process.exitCode = unreadable ? FILE_PROBLEM : all.some((d) => d.severity === "error") ? 1 : 0;
    });
}
