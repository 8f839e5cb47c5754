import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";
import { tempFolder, type Folder } from "./helpers.js";

const EXAMPLE = fileURLToPath(new URL("../../../../examples/policy-tests/orders.yaml", import.meta.url));

let folder: Folder;
let passing: string;
let failing: string;
let broken: string;
before(async () => {
  folder = await tempFolder();
  const policies =
    'policies:\n  api: \'<policies><inbound><base /><set-header name="X-A" exists-action="override"><value>1</value></set-header></inbound></policies>\'\n';
  passing = await folder.write({
    "passing.yaml": `${policies}cases:\n  - name: sets the header\n    expect: { status: 200, backendRequest: { headers: { X-A: "1" } } }\n`,
  });
  failing = await folder.write({
    "failing.yaml": `${policies}cases:\n  - name: expects another value\n    expect: { backendRequest: { headers: { X-A: "2" } } }\n`,
  });
  broken = await folder.write({
    "broken.yaml": "policies:\n  api: api.xml\ncases: [{ name: x, expect: { status: 200 } }]\n",
    "api.xml":
      '<policies>\n  <inbound>\n    <set-header name="X" exists-action="always" />\n  </inbound>\n</policies>\n',
  });
});
after(() => folder.remove());

describe("gatehouse policy test", () => {
  it("prints a pass/fail table and exits 0 when every case passes, 1 when one fails", async () => {
    const ok = await runCli(["policy", "test", passing]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /sets the header\s+pass\n/);
    assert.match(ok.stdout, /1 file, 1 case: 1 passed, 0 failed\n$/);

    const both = await runCli(["policy", "test", passing, failing]);
    assert.equal(both.code, 1, both.stderr);
    assert.match(both.stdout, /expects another value\s+FAIL\s+backendRequest\.headers\.X-A: expected "2", got "1"\n/);
    assert.match(both.stdout, /2 files, 2 cases: 1 passed, 1 failed\n$/);
  });

  it("exits 2 with file:line:column when a document does not load; --json gives the results as data", async () => {
    const result = await runCli(["policy", "test", broken, passing]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /api\.xml:3:26: Attribute 'exists-action' must be one of .*\n$/);
    assert.match(result.stdout, /2 files, 1 case: 1 passed, 0 failed, 1 not run\n$/);

    const json = await runCli(["policy", "test", "--json", failing, broken]);
    assert.equal(json.code, 2);
    const parsed = JSON.parse(json.stdout) as {
      summary: { failed: number; problems: number };
      files: { file: string; problem?: string; cases: { name: string; passed: boolean }[] }[];
    };
    assert.deepEqual(parsed.summary, { files: 2, cases: 1, passed: 0, failed: 1, problems: 1 });
    assert.deepEqual(
      parsed.files[0]?.cases.map((c) => [c.name, c.passed]),
      [["expects another value", false]],
    );
    assert.match(parsed.files[1]?.problem ?? "", /api\.xml:3:26: /);
  });

  it("runs the README's example", async () => {
    const result = await runCli(["policy", "test", EXAMPLE]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /1 file, 5 cases: 5 passed, 0 failed\n$/);
  });
});

describe("gatehouse policy lint", () => {
  it("prints file:line:column: severity: message for every problem and exits 1 on errors", async () => {
    const file = await folder.write({
      "lint.xml": [
        "<policies>",
        "  <inbound>",
        '    <set-headr name="X" />',
        '    <set-backend-service base-url="{{backend-url}}" />',
        "  </inbound>",
        "  <outbound>",
        "    <base />",
        '    <set-header name="Y" exists-action="sometimes" />',
        "  </outbound>",
        "</policies>",
      ].join("\n"),
      "values.yaml": "other: 1\n",
    });
    const result = await runCli(["policy", "lint", file]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stdout,
      `${file}:2:3: warning: No <base/> in 'inbound': the broader scope's inbound policies will not run\n` +
        `${file}:3:5: error: 'set-headr' is not a known policy; did you mean 'set-header'?\n` +
        `${file}:8:26: error: Attribute 'exists-action' must be one of 'override', 'skip', 'append', 'delete', not 'sometimes'\n` +
        "2 errors, 1 warning\n",
    );

    const strict = await runCli([
      "policy",
      "lint",
      "--scope",
      "global",
      "--named-values",
      `${folder.path}/values.yaml`,
      file,
    ]);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /lint\.xml:4:36: error: Named value '\{\{backend-url\}\}' does not exist\n/);
    assert.doesNotMatch(strict.stdout, /: warning:/, "no <base/> warnings at global scope");

    const clean = await folder.write({ "clean.xml": "<policies><inbound><base /></inbound></policies>" });
    const ok = await runCli(["policy", "lint", clean]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "no problems\n");

    const missing = await runCli(["policy", "lint", `${folder.path}/nothing.xml`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nothing\.xml: cannot read the file \(ENOENT\)/);
  });

  it("refuses at once a document with 60,000 attributes on one element (issue 10), and one within 256 KiB at its 65th", async () => {
    const attributes = (count: number) => Array.from({ length: count }, (_, i) => ` a${i.toString(36)}="v"`).join("");
    const wideFile = await folder.write({
      "wide.xml": `<policies>\n  <inbound${attributes(60_000)}><base /></inbound>\n</policies>`,
    });
    const widerFile = await folder.write({
      "wider.xml": `<policies>\n  <inbound${attributes(20_000)}><base /></inbound>\n</policies>`,
    });
    const wide = await runCli(["policy", "lint", wideFile]);
    assert.equal(wide.code, 1, wide.stderr);
    assert.match(wide.stdout, /wide\.xml:1:1: error: The policy document is \d+ characters long, more than the 262144/);
    const wider = await runCli(["policy", "lint", widerFile]);
    assert.equal(wider.code, 1, wider.stderr);
    assert.match(wider.stdout, /wider\.xml:2:\d+: error: Element 'inbound' has more than 64 attributes\n/);
  });
});
