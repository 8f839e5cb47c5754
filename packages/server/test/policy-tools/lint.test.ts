import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lintPolicy, type Diagnostic, type LintOptions } from "../../src/policy-tools/lint/lint.js";
import { renderCount, renderDiagnostics } from "../../src/policy-tools/lint/report.js";

/** A document as lines, and the 1-based position of a token on a line, so expectations need no counting. */
function document(lines: string[]) {
  return {
    xml: lines.join("\n"),
    at(line: number, token: string): string {
      const column = (lines[line - 1] as string).indexOf(token) + 1;
      assert.ok(column > 0, `'${token}' is not on line ${line}`);
      return `${line}:${column}`;
    },
  };
}

const lint = (xml: string, options: Partial<LintOptions> = {}) => lintPolicy(xml, { scope: "api", ...options });

const lines = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);

describe("policy lint", () => {
  it("reports every problem of a document with its line and column, not only the first", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      '    <set-headr name="X" exists-action="override"><value>1</value></set-headr>',
      '    <set-header name="Y" exists-action="sometimes"><value>2</value></set-header>',
      '    <forward-request timeout="10" />',
      '    <check-header name="X" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="maybe" />',
      "    <xsl-transform />",
      "  </inbound>",
      "  <backend>",
      '    <forward-request timeout="soon" />',
      "  </backend>",
      "  <outbound>",
      '    <set-status code="200" reason="OK" />',
      "  </outbound>",
      "  <sideways />",
      "</policies>",
    ]);
    const found = lines(lint(doc.xml));
    assert.deepEqual(found, [
      `${doc.at(2, "<inbound>")} warning No <base/> in 'inbound': the broader scope's inbound policies will not run`,
      `${doc.at(3, "<set-headr")} error 'set-headr' is not a known policy; did you mean 'set-header'?`,
      `${doc.at(4, "exists-action")} error Attribute 'exists-action' must be one of 'override', 'skip', 'append', 'delete', not 'sometimes'`,
      `${doc.at(5, "<forward-request")} error Policy 'forward-request' is not allowed in section 'inbound'`,
      `${doc.at(6, "ignore-case")} error Attribute 'ignore-case' must be 'true' or 'false', not 'maybe'`,
      `${doc.at(7, "<xsl-transform")} error Policy 'xsl-transform' is not supported by this Gatehouse version`,
      `${doc.at(10, "timeout")} error Attribute 'timeout' must be an integer between 1 and 2147483, not 'soon'`,
      `${doc.at(12, "<outbound>")} warning No <base/> in 'outbound': the broader scope's outbound policies will not run`,
      `${doc.at(15, "<sideways")} error Element 'sideways' is not allowed in 'policies': the sections are inbound, backend, outbound and on-error`,
    ]);
  });

  it("checks the sections and scopes each policy is allowed in", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      '    <rate-limit calls="5" renewal-period="60" />',
      '    <quota calls="100" renewal-period="3600" />',
      "  </inbound>",
      "</policies>",
    ]);
    assert.deepEqual(lines(lint(doc.xml, { scope: "global" })), [
      `${doc.at(3, "<rate-limit")} error Policy 'rate-limit' is not allowed at global scope`,
      `${doc.at(4, "<quota")} error Policy 'quota' is not allowed at global scope`,
    ]);
    assert.deepEqual(lines(lint(doc.xml, { scope: "operation" })), [
      `${doc.at(2, "<inbound>")} warning No <base/> in 'inbound': the broader scope's inbound policies will not run`,
      `${doc.at(4, "<quota")} error Policy 'quota' is not allowed at operation scope`,
    ]);
  });

  it("warns about a missing <base/> below global scope, and about a backend section that forwards nothing", () => {
    const doc = document([
      "<policies>",
      "  <inbound />",
      "  <backend>",
      '    <set-header name="X" exists-action="delete" />',
      "  </backend>",
      "  <outbound>",
      "    <base />",
      "  </outbound>",
      "</policies>",
    ]);
    assert.deepEqual(lines(lint(doc.xml, { scope: "product" })), [
      `${doc.at(2, "<inbound")} warning No <base/> in 'inbound': the broader scope's inbound policies will not run`,
      `${doc.at(3, "<backend>")} warning No <base/> and no <forward-request> in 'backend': the request will not be forwarded to the backend`,
    ]);
    assert.deepEqual(lint(doc.xml, { scope: "global" }), [], "global scope has nothing broader");
    const forwarding = '<policies><backend><forward-request timeout="30" /></backend></policies>';
    assert.deepEqual(lint(forwarding), [], "a backend section of its own that forwards is intended");
  });

  it("counts once-per-document policies across the document and checks <base/>", () => {
    const doc = document([
      "<policies>",
      "  <backend>",
      "    <forward-request />",
      "    <forward-request />",
      "  </backend>",
      "  <outbound>",
      "    <base />",
      "    <base />",
      "  </outbound>",
      "</policies>",
    ]);
    assert.deepEqual(lines(lint(doc.xml, { scope: "global" })), [
      `${doc.at(4, "<forward-request")} error Policy 'forward-request' may appear only once in a policy document`,
      `${doc.at(8, "<base")} error 'base' may appear only once in section 'outbound'`,
    ]);
  });

  it("accepts any {{named value}} unless the named values are given", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      "    <base />",
      '    <set-backend-service base-url="{{orders-url}}" />',
      '    <check-header name="X-Key" failed-check-httpcode="{{status}}" failed-check-error-message="no" ignore-case="true" />',
      "  </inbound>",
      "</policies>",
    ]);
    assert.deepEqual(lint(doc.xml), []);
    const namedValues = new Map([["orders-url", "https://orders.internal"]]);
    assert.deepEqual(lines(lint(doc.xml, { namedValues })), [
      `${doc.at(5, "{{status}}")} error Named value '{{status}}' does not exist`,
    ]);
    assert.deepEqual(lines(lint(doc.xml, { namedValues: new Map([...namedValues, ["status", "teapot"]]) })), [
      `${doc.at(5, "failed-check-httpcode")} error Attribute 'failed-check-httpcode' must be an integer between 100 and 599, not '{{status}}'`,
    ]);
  });

  it("reports a document that does not parse, at the offending character", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      '    <set-header name="X" name="Y" />',
      "  </inbound>",
      "</policies>",
    ]);
    assert.deepEqual(lines(lint(doc.xml)), [`${doc.at(3, 'name="Y"')} error Attribute 'name' is given more than once`]);
    assert.deepEqual(lines(lint("<fragment />")), [
      "1:1 error Policy fragments (<fragment>) are not supported by this Gatehouse version",
    ]);
  });

  it("lints the policies nested in choose, each on its own", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      "    <base />",
      "    <choose>",
      '      <when condition="true">',
      '        <set-varible name="a" value="1" />',
      "      </when>",
      "      <otherwise>",
      '        <set-header name="Y" exists-action="sometimes" />',
      "      </otherwise>",
      "    </choose>",
      "  </inbound>",
      "</policies>",
    ]);
    const found = lines(lint(doc.xml));
    assert.ok(
      found.includes(
        `${doc.at(6, "<set-varible")} error 'set-varible' is not a known policy; did you mean 'set-variable'?`,
      ),
      found.join("\n"),
    );
    assert.ok(
      found.some((l) => l.startsWith(`${doc.at(9, "exists-action")} error Attribute 'exists-action' must be one of`)),
      found.join("\n"),
    );
  });

  it("compiles every expression, reporting each one that does not parse", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      "    <base />",
      '    <set-header name="A" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", ))</value></set-header>',
      '    <set-variable name="b" value="@(1 +)" />',
      '    <set-variable name="c" value="@(context.Request.Method)" />',
      "  </inbound>",
      "</policies>",
    ]);
    const found = lint(doc.xml);
    assert.deepEqual(
      found.map((d) => `${d.line} ${d.severity}`),
      ["4 error", "5 error"],
      lines(found).join("\n"),
    );
  });

  it("warns about Gatehouse's extension attributes, which API Management refuses", () => {
    const doc = document([
      "<policies>",
      "  <inbound>",
      "    <base />",
      '    <rate-limit-by-key calls="5" renewal-period="60" counter-key="k" gatehouse-fail-open="false" />',
      "  </inbound>",
      "</policies>",
    ]);
    assert.deepEqual(lines(lint(doc.xml)), [
      `${doc.at(4, "gatehouse-fail-open")} warning Attribute 'gatehouse-fail-open' is a Gatehouse extension: API Management refuses it, so remove it before deploying the document to Azure`,
    ]);
  });

  it("prints diagnostics as compilers do, with a count", () => {
    const diagnostics: Diagnostic[] = [
      { line: 3, column: 5, severity: "error", message: "bad" },
      { line: 9, column: 3, severity: "warning", message: "odd" },
    ];
    assert.equal(renderDiagnostics("api.xml", diagnostics), "api.xml:3:5: error: bad\napi.xml:9:3: warning: odd\n");
    assert.equal(renderCount(diagnostics), "1 error, 1 warning\n");
    assert.equal(renderCount([]), "no problems\n");
  });
});
