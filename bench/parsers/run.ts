/**
 * Parser scaling benchmark: each reader on inputs of the shapes that were quadratic (issue 10, finding 2), at sizes n,
 * 2n, 4n and 8n, the largest being as large as Gatehouse accepts (a body's node budget, a policy document's 256 KiB).
 * Prints the median time per size and the ratio to the size before: about 2 means linear, about 4 quadratic.
 * Not a test: it asserts nothing. Run with `npm run bench:parsers [-- --rounds 5]` (node runs it with --expose-gc,
 * so that every measurement starts from a collected heap rather than paying for the garbage of the one before).
 */
import { parseExpressionSource } from "../../packages/server/src/gateway/expressions/parser.js";
import { parseTemplate } from "../../packages/server/src/gateway/liquid/parser.js";
import {
  parseXml as parsePolicyXml,
  MAX_POLICY_DOCUMENT_LENGTH,
} from "../../packages/server/src/gateway/policy/xml.js";
import { MAX_BODY_NODES } from "../../packages/server/src/gateway/transform/body-limits.js";
import { readJson } from "../../packages/server/src/gateway/transform/json-reader.js";
import { jsonToXml, xmlToJson } from "../../packages/server/src/gateway/transform/json-xml.js";
import { parseXml } from "../../packages/server/src/gateway/transform/xml-reader.js";
import {
  MAX_DOCUMENT_BYTES,
  readApiDocument,
  type DocumentFormat,
} from "../../packages/server/src/gateway/model/apis/import/index.js";
import { SCALE_DOCUMENTS } from "../../packages/server/test/gateway-import/scale-documents.js";
import { machineInfo, medianBy, saveResults } from "../shared/results.js";

interface Case {
  reader: string;
  shape: string;
  /** The input of scale `k` (1, 2, 4, 8); its length grows in proportion to k. */
  input(k: number): string;
  run(input: string): unknown;
}

const repeat = (count: number, item: (i: number) => string): string =>
  Array.from({ length: count }, (_, i) => item(i)).join("");

/** Scale 8 reaches the node budget of a body: every XML/JSON case below stays just within it. */
const BODY_UNIT = Math.floor(MAX_BODY_NODES / 8) - 10;
/** Scale 8 reaches the size limit of a policy document (256 KiB), with room for the wrapping elements. */
const DOCUMENT_UNIT = Math.floor(MAX_POLICY_DOCUMENT_LENGTH / 8) - 256;

const policyDocument = (inbound: string) => `<policies><inbound>${inbound}</inbound></policies>`;
/** `count` characters of inbound content made of `unit` repeated. */
const fill = (unit: string, characters: number) => unit.repeat(Math.floor(characters / unit.length));

const CASES: Case[] = [
  {
    reader: "XML body (xml-to-json)",
    shape: "attributes on one element",
    input: (k) => `<r${repeat(BODY_UNIT * k, (i) => ` a${i}="v"`)}/>`,
    run: (xml) => xmlToJson(xml, { kind: "direct", alwaysArrayChildElements: false }),
  },
  {
    reader: "XML body (xml-to-json)",
    shape: "namespace declarations × children",
    // As many declarations as 1/25 of the children: both grow with the input, as in the issue's 2,000 × 50,000.
    input: (k) => {
      const children = Math.floor((BODY_UNIT * k) / 1.1);
      return `<r${repeat(children / 25, (i) => ` xmlns:p${i}="urn:${i}"`)}>${"<p0:c/>".repeat(children)}</r>`;
    },
    run: (xml) => xmlToJson(xml, { kind: "direct", alwaysArrayChildElements: false }),
  },
  {
    reader: "XML body (reader)",
    shape: "text with entity references",
    input: (k) => `<r>${"a &amp; b &#x3C; ".repeat(BODY_UNIT * k)}</r>`,
    run: parseXml,
  },
  {
    reader: "policy XML",
    shape: "elements of 60 attributes",
    input: (k) => policyDocument(fill(`<x${repeat(60, (i) => ` a${i}="v"`)}/>`, DOCUMENT_UNIT * k)),
    run: parsePolicyXml,
  },
  {
    reader: "policy XML",
    shape: "sibling elements",
    input: (k) => policyDocument(fill("<base />", DOCUMENT_UNIT * k)),
    run: parsePolicyXml,
  },
  {
    reader: "policy XML",
    shape: "expression text with entities",
    input: (k) => policyDocument(`<set-body>@(${fill('"a" + "&lt;" + ', DOCUMENT_UNIT * k - 32)}"")</set-body>`),
    run: parsePolicyXml,
  },
  {
    reader: "JSON body (reader)",
    shape: "properties of one object",
    input: (k) => `{${repeat(BODY_UNIT * k, (i) => `"p${i}":${i},`)}"end":0}`,
    run: readJson,
  },
  {
    reader: "JSON body (json-to-xml)",
    shape: "namespace prefixes × array items",
    input: (k) => {
      const items = Math.floor((BODY_UNIT * k) / 1.05);
      const prefixes = repeat(items / 25, (i) => `"xmlns_p${i}":"urn:${i}",`);
      return `{"r":{${prefixes}"p0_c":[${Array(items).fill("1").join(",")}]}}`;
    },
    run: (json) =>
      jsonToXml(json, {
        parseDate: false,
        namespaceSeparator: "_",
        namespacePrefix: "xmlns",
        attributeBlockName: undefined,
      }),
  },
  {
    reader: "Liquid parser",
    shape: "outputs and no tags",
    input: (k) => fill("{{ body.a | Upcase }} ", DOCUMENT_UNIT * k),
    run: parseTemplate,
  },
  {
    reader: "Liquid parser",
    shape: "sibling if tags",
    input: (k) => fill("{% if a %}x{% endif %}", DOCUMENT_UNIT * k),
    run: parseTemplate,
  },
  {
    reader: "expression lexer+parser",
    shape: "terms of one sum",
    input: (k) => `@(${fill("a.Length + ", DOCUMENT_UNIT * k)}1)`,
    run: parseExpressionSource,
  },
  {
    reader: "expression lexer+parser",
    shape: "one long string literal",
    input: (k) => `@("${fill("abc\\n", DOCUMENT_UNIT * k)}")`,
    run: parseExpressionSource,
  },
  {
    reader: "expression lexer+parser",
    shape: "generic-looking comparisons",
    input: (k) => `@(F(${fill("a < b, ", DOCUMENT_UNIT * k)}c))`,
    run: parseExpressionSource,
  },
];

/**
 * The API import readers, on documents of operations whose scale 8 comes within the 4 MiB an import takes. The test
 * documents (test/gateway-import/scale-documents.ts) are measured at 100 operations to size them.
 */
for (const [reader, format, document] of SCALE_DOCUMENTS) {
  const perOperation = document(100).length / 100;
  const unit = Math.floor((MAX_DOCUMENT_BYTES * 0.95) / 8 / perOperation);
  const options = { translation: "template" as const, wsdlSelector: undefined, sourceUrl: undefined };
  CASES.push({
    reader: `API import (${reader})`,
    shape: "operations of one API",
    input: (k) => document(unit * k),
    run: (text) => readApiDocument(format as DocumentFormat, text, options),
  });
}

const SCALES = [1, 2, 4, 8] as const;
const roundsFlag = process.argv.indexOf("--rounds");
const rounds = roundsFlag > 0 ? Math.max(1, Math.min(9, Number(process.argv[roundsFlag + 1]) || 3)) : 3;

const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const cpuMilliseconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * CPU milliseconds one run of `run` on `input` takes (CPU time, which the other processes of a shared machine do not
 * inflate as they do wall time): runs repeated for at least 50 ms, since small inputs would otherwise measure the
 * clock, from a collected heap. Every case is built to be accepted: a refusal stops the benchmark.
 */
function time(run: (input: string) => unknown, input: string): number {
  collect();
  let runs = 0;
  const start = cpuMilliseconds();
  let elapsed: number;
  do {
    run(input);
    runs++;
    elapsed = cpuMilliseconds() - start;
  } while (elapsed < 50);
  return elapsed / runs;
}

interface Row {
  reader: string;
  shape: string;
  characters: number;
  ms: number;
  ratio: number | undefined;
}

const startedAt = new Date();
const loadStart = (await import("node:os")).loadavg();
console.log(`parser scaling: CPU ms per run, median of ${rounds} rounds per size (node ${process.version})`);
console.log(
  `${"reader".padEnd(26)} ${"shape".padEnd(36)} ${"chars".padStart(10)} ${"ms".padStart(9)} ${"ratio".padStart(6)}`,
);
const rows: Row[] = [];
for (const c of CASES) {
  const inputs = SCALES.map((k) => c.input(k));
  // Warm up on the smallest input for a while, so the first size does not pay for compilation.
  const warmUntil = Date.now() + 300;
  while (Date.now() < warmUntil) time(c.run, inputs[0] as string);
  let previous: number | undefined;
  for (const input of inputs) {
    const ms = medianBy(
      Array.from({ length: rounds }, () => time(c.run, input)),
      (n) => n,
    );
    const row = { reader: c.reader, shape: c.shape, characters: input.length, ms, ratio: previous && ms / previous };
    rows.push(row);
    previous = ms;
    console.log(
      `${c.reader.padEnd(26)} ${c.shape.padEnd(36)} ${String(input.length).padStart(10)} ${ms.toFixed(1).padStart(9)} ${row.ratio === undefined ? "".padStart(6) : row.ratio.toFixed(2).padStart(6)}`,
    );
  }
}
const loadEnd = (await import("node:os")).loadavg();
await saveResults("parsers", startedAt, { machine: machineInfo(loadStart, loadEnd), rounds, rows });
