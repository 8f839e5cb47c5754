/**
 * The policy corpus: realistic policy documents (NN-name.xml) and the case files that exercise them (NN-name.yaml).
 * Every case passes through the policy test runner in process, every document lints clean at the scope its case
 * files use it at, and between them the documents use every policy the gateway runs.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { PolicyScopeKind } from "../../src/gateway/model/configuration.js";
import { POLICY_CATALOG } from "../../src/gateway/policy/catalog.js";
import { parseXml, type XmlElement } from "../../src/gateway/policy/xml.js";
import { lintPolicy } from "../../src/policy-tools/lint/lint.js";
import { renderTable } from "../../src/policy-tools/testing/report.js";
import { runCaseFile, type FileResult } from "../../src/policy-tools/testing/run-cases.js";
import { runCli } from "../helpers/cli.js";

const FOLDER = fileURLToPath(new URL(".", import.meta.url));
const DOCUMENT = /^\d{2}-[a-z0-9-]+\.xml$/;
const MIN_DOCUMENTS = 40;

/** Lint warnings a document has on purpose: its file name → the start of each warning's message. */
const INTENDED_WARNINGS: Readonly<Record<string, readonly string[]>> = {
  // The webhook operation drops the API's token check on purpose.
  "47-retail-payment-webhook.xml": ["No <base/> in 'inbound'"],
};

/** Policies whose child elements are policies too. */
const CONTAINERS: Readonly<Record<string, readonly string[]>> = {
  choose: ["when", "otherwise"],
  "return-response": [],
};

interface CaseFileInfo {
  file: string;
  /** Document file name → the scopes this case file uses it at. */
  documents: Map<string, Set<PolicyScopeKind>>;
  /** Lower-cased name → value, as the linter takes them. */
  namedValues: Map<string, string>;
  cases: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A policy source that names a file (`NN-name.xml` or `{ file }`), not inline XML. */
function documentFile(source: unknown): string | undefined {
  if (typeof source === "string") return source.trimStart().startsWith("<") ? undefined : source;
  if (isRecord(source) && typeof source.file === "string") return source.file;
  return undefined;
}

async function readCaseFile(name: string): Promise<CaseFileInfo> {
  const file = join(FOLDER, name);
  const content: unknown = parse(await readFile(file, "utf8"));
  assert.ok(isRecord(content), `${name} is not a YAML mapping`);
  const documents = new Map<string, Set<PolicyScopeKind>>();
  const use = (source: unknown, scope: PolicyScopeKind) => {
    const document = documentFile(source);
    if (document === undefined) return;
    const scopes = documents.get(document) ?? new Set<PolicyScopeKind>();
    scopes.add(scope);
    documents.set(document, scopes);
  };
  const policies = isRecord(content.policies) ? content.policies : {};
  for (const scope of ["global", "product", "api", "operation"] as const) use(policies[scope], scope);
  const operations = Array.isArray(content.operations) ? (content.operations as unknown[]) : [content.operation];
  for (const operation of operations) if (isRecord(operation)) use(operation.policy, "operation");
  const namedValues = new Map(
    Object.entries(isRecord(content.namedValues) ? content.namedValues : {}).map(([key, value]) => [
      key.toLowerCase(),
      String(value),
    ]),
  );
  const cases = Array.isArray(content.cases) ? content.cases.length : 0;
  return { file, documents, namedValues, cases };
}

/** The names of the policies in a document: the statements of its sections and of the containers among them. */
function policyNames(root: XmlElement): Set<string> {
  const names = new Set<string>();
  const visit = (statements: readonly XmlElement[]) => {
    for (const statement of statements) {
      if (statement.name === "base") continue;
      names.add(statement.name);
      const branches = CONTAINERS[statement.name];
      if (branches === undefined) continue;
      const children = elements(statement);
      visit(branches.length === 0 ? children : children.filter((c) => branches.includes(c.name)).flatMap(elements));
    }
  };
  for (const section of elements(root)) visit(elements(section));
  return names;
}

const elements = (node: XmlElement): XmlElement[] =>
  node.children.filter((child): child is XmlElement => child.kind === "element");

let documents: string[];
let caseFiles: CaseFileInfo[];

before(async () => {
  const names = (await readdir(FOLDER)).sort();
  documents = names.filter((name) => DOCUMENT.test(name));
  caseFiles = await Promise.all(names.filter((name) => name.endsWith(".yaml")).map(readCaseFile));
});

describe("policy corpus", () => {
  it("every case of every case file passes", async () => {
    const results: FileResult[] = [];
    // One file at a time, as the CLI runs them: each has its own offline gateway and counters.
    for (const { file } of caseFiles) results.push(await runCaseFile(file));
    const problems = results.flatMap((r) => (r.problem === undefined ? [] : [r.problem]));
    const failed = results.some((r) => r.cases.some((c) => !c.passed));
    assert.ok(problems.length === 0 && !failed, `${problems.join("\n")}\n${renderTable(results)}`);
    assert.ok(
      results.every((r) => r.cases.length >= 2),
      "every case file has several cases",
    );
  });

  it(`holds at least ${MIN_DOCUMENTS} documents, each used by a case file`, () => {
    assert.ok(documents.length >= MIN_DOCUMENTS, `${documents.length} documents`);
    const used = new Set(caseFiles.flatMap((c) => [...c.documents.keys()]));
    assert.deepEqual(
      documents.filter((d) => !used.has(d)),
      [],
      "documents no case file uses",
    );
    assert.deepEqual(
      [...used].filter((d) => !documents.includes(d)),
      [],
      "case files name documents that are not NN-name.xml files of the corpus",
    );
  });

  it("uses every policy the gateway runs", async () => {
    const used = new Set<string>();
    for (const document of documents) {
      for (const name of policyNames(parseXml(await readFile(join(FOLDER, document), "utf8")))) used.add(name);
    }
    assert.deepEqual(
      [...POLICY_CATALOG.keys()].filter((name) => !used.has(name)),
      [],
      "policies no document uses",
    );
  });

  it("lints every document without errors, at each scope it is used at, with only the intended warnings", async () => {
    const found: Record<string, string[]> = {};
    for (const { documents: used, namedValues } of caseFiles) {
      for (const [document, scopes] of used) {
        const xml = await readFile(join(FOLDER, document), "utf8");
        for (const scope of scopes) {
          for (const diagnostic of lintPolicy(xml, { scope, namedValues })) {
            const { line, column, severity, message } = diagnostic;
            const intended =
              severity === "warning" && (INTENDED_WARNINGS[document] ?? []).some((start) => message.startsWith(start));
            if (!intended) (found[document] ??= []).push(`${line}:${column} ${severity} (${scope}): ${message}`);
          }
        }
      }
    }
    assert.deepEqual(found, {});
  });

  it("runs from the command line over the whole folder", async () => {
    const result = await runCli(["policy", "test", ...caseFiles.map((c) => c.file)]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const cases = caseFiles.reduce((sum, c) => sum + c.cases, 0);
    assert.match(result.stdout, new RegExp(`${caseFiles.length} files, ${cases} cases: ${cases} passed, 0 failed\\n$`));
  });
});
