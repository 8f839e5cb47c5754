import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PolicyDefinition } from "../../src/gateway/policy/definition.js";
import { BASE, placementProblem } from "../../src/gateway/policy/document.js";
import { load, loadError, OPERATION_SCOPE, policies } from "./helpers.js";

/** `line:column` of the `nth` occurrence of `needle` in `source`: the position a load error must name. */
function at(source: string, needle: string, nth = 1): string {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = source.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `'${needle}' occurs ${nth} times`);
  }
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}

/** Asserts the load error of `xml`: its message, at the `nth` occurrence of `needle`. */
function refuses(xml: string, detail: string, needle: string, nth = 1, scope = OPERATION_SCOPE): void {
  assert.equal(loadError(xml, scope), `${detail} @ ${at(xml, needle, nth)}`);
}

const names = (nodes: readonly unknown[]) =>
  nodes.map((node) => (node === BASE ? "<base/>" : (node as { policy: string }).policy));

describe("loading policy documents", () => {
  it("compiles every section, keeping <base/> where it stands, in any order of sections", () => {
    const xml = `<?xml version="1.0"?>
<policies>
  <!-- sections in any order, some absent -->
  <outbound>
    <set-header name="X-Powered-By" exists-action="delete" />
    <base />
  </outbound>
  <inbound>
    <check-header name="X-Key" failed-check-httpcode="401" failed-check-error-message="No" ignore-case="true" id="key">
      <value>{{Backend-Secret}}</value>
    </check-header>
    <base />
    <set-query-parameter name="v" exists-action="skip"><value>1</value></set-query-parameter>
    <rewrite-uri template="/v2/users/{id}?expand={expand}" />
    <set-backend-service backend-id="users" />
  </inbound>
  <backend><forward-request timeout="20" /></backend>
</policies>`;
    const document = load(xml, OPERATION_SCOPE);
    assert.deepEqual(document.scope, OPERATION_SCOPE);
    assert.deepEqual(names(document.sections.inbound), [
      "check-header",
      "<base/>",
      "set-query-parameter",
      "rewrite-uri",
      "set-backend-service",
    ]);
    assert.equal((document.sections.inbound[0] as { id?: string }).id, "key");
    assert.deepEqual(names(document.sections.backend), ["forward-request"]);
    assert.deepEqual(names(document.sections.outbound), ["set-header", "<base/>"]);
    // An absent section inherits the broader scopes' section.
    assert.deepEqual(names(document.sections["on-error"]), ["<base/>"]);
  });

  it("loads an empty <policies/> and every policy of this version in the sections APIM allows", () => {
    assert.deepEqual(names(load("<policies/>").sections.inbound), ["<base/>"]);
    const xml = policies({
      inbound: `<mock-response status-code="200" content-type="application/json" />`,
      backend: `<set-header name="A" exists-action="append"><value>1</value></set-header><set-body>x</set-body><set-status code="201" reason="Created" /><forward-request />`,
      outbound: `<return-response><set-status code="200" reason="OK" /><set-header name="B"><value>2</value></set-header><set-body>done</set-body></return-response>`,
      onError: `<set-header name="C"><value>3</value></set-header><set-status code="500" reason="Bad" /><set-body>err</set-body><mock-response />`,
    });
    const document = load(xml);
    assert.deepEqual(names(document.sections.backend), ["set-header", "set-body", "set-status", "forward-request"]);
    assert.deepEqual(names(document.sections["on-error"]), ["set-header", "set-status", "set-body", "mock-response"]);
  });

  describe("structure", () => {
    it("refuses a root other than <policies>, and fragments", () => {
      refuses(`<inbound/>`, "The root element must be 'policies', not 'inbound'", "<inbound");
      refuses(
        `<fragment>\n  <set-header name="a"><value>b</value></set-header>\n</fragment>`,
        "Policy fragments (<fragment>) are not supported by this Gatehouse version",
        "<fragment",
      );
    });

    it("refuses a duplicate section, an unknown element in <policies>, attributes and text", () => {
      refuses(
        `<policies>\n  <inbound />\n  <outbound />\n  <inbound />\n</policies>`,
        "Section 'inbound' appears more than once",
        "<inbound",
        2,
      );
      refuses(
        `<policies>\n  <inbund />\n</policies>`,
        "Element 'inbund' is not allowed in 'policies': the sections are inbound, backend, outbound and on-error",
        "<inbund",
      );
      refuses(`<policies xmlns="urn:x" />`, "Attribute 'xmlns' is not allowed in 'policies'", "xmlns");
      refuses(
        `<policies>\n  <inbound mode="x" />\n</policies>`,
        "Attribute 'mode' is not allowed in 'inbound'",
        "mode",
      );
      refuses(`<policies>\n  hello\n  <inbound />\n</policies>`, "Text is not allowed in 'policies'", "hello");
      refuses(
        `<policies>\n  <inbound>\n    <base /> stray\n  </inbound>\n</policies>`,
        "Text is not allowed in 'inbound'",
        "stray",
      );
    });

    it("allows one <base/> per section, without attributes or content", () => {
      refuses(
        `<policies>\n  <inbound>\n    <base />\n    <base />\n  </inbound>\n</policies>`,
        "'base' may appear only once in section 'inbound'",
        "<base",
        2,
      );
      refuses(
        `<policies><inbound><base id="1" /></inbound></policies>`,
        "Attribute 'id' is not allowed in 'base'",
        "id=",
      );
      refuses(
        `<policies><inbound><base><set-status code="1" reason="x"/></base></inbound></policies>`,
        "Element 'set-status' is not allowed in 'base'",
        "<set-status",
      );
      refuses(
        `<policies><inbound><return-response><base /></return-response></inbound></policies>`,
        "'base' is allowed only directly inside a section",
        "<base",
      );
    });

    it("reports XML errors with their position", () => {
      refuses(
        `<policies>\n  <inbound>\n  </outbound>\n</policies>`,
        "Closing tag 'outbound' does not match 'inbound'",
        "</outbound",
      );
    });
  });

  describe("policies", () => {
    it("refuses an unknown policy, and names APIM policies this version does not run", () => {
      refuses(
        policies({ inbound: `\n  <set-headers name="a" />` }),
        "'set-headers' is not a known policy",
        "<set-headers",
      );
      for (const name of [
        "xsl-transform",
        "retry",
        "limit-concurrency",
        "log-to-eventhub",
        "llm-token-limit",
        "azure-openai-emit-token-metric",
      ]) {
        const xml = policies({ inbound: `<${name} calls="5" />` });
        refuses(xml, `Policy '${name}' is not supported by this Gatehouse version`, `<${name}`);
      }
      refuses(
        policies({ inbound: `<set-backend-service backend-id="dapr" dapr-app-id="orders" dapr-method="x" />` }),
        "Policy 'set-backend-service' with Dapr is not supported by this Gatehouse version",
        "dapr-app-id",
      );
    });

    it("refuses a policy in a section where APIM does not allow it", () => {
      refuses(
        policies({ inbound: `<forward-request />` }),
        "Policy 'forward-request' is not allowed in section 'inbound'",
        "<forward-request",
      );
      refuses(
        policies({
          outbound: `<check-header name="a" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="false" />`,
        }),
        "Policy 'check-header' is not allowed in section 'outbound'",
        "<check-header",
      );
      refuses(
        policies({ outbound: `<set-query-parameter name="a"><value>1</value></set-query-parameter>` }),
        "Policy 'set-query-parameter' is not allowed in section 'outbound'",
        "<set-query-parameter",
      );
      refuses(
        policies({ backend: `<mock-response />` }),
        "Policy 'mock-response' is not allowed in section 'backend'",
        "<mock-response",
      );
    });

    it("refuses a policy at a scope its definition excludes", () => {
      const productOnly: PolicyDefinition = {
        name: "quota",
        sections: ["inbound"],
        scopes: ["product"],
        compile: () => ({ policy: "quota", id: undefined, run: () => undefined }),
      };
      assert.equal(placementProblem(productOnly, "inbound", "api"), "Policy 'quota' is not allowed at api scope");
      assert.equal(
        placementProblem(productOnly, "outbound", "product"),
        "Policy 'quota' is not allowed in section 'outbound'",
      );
      assert.equal(placementProblem(productOnly, "inbound", "product"), undefined);
    });

    it("refuses a second forward-request in one document", () => {
      refuses(
        policies({ backend: `\n  <forward-request />\n  <forward-request timeout="5" />` }),
        "Policy 'forward-request' may appear only once in a policy document",
        "<forward-request",
        2,
      );
    });

    it("refuses attributes, elements and text a policy does not read", () => {
      refuses(
        policies({ inbound: `<set-header name="a" foo="1"><value>b</value></set-header>` }),
        "Attribute 'foo' is not allowed in policy 'set-header'",
        "foo=",
      );
      refuses(
        policies({ inbound: `<set-header name="a"><value lang="en">b</value></set-header>` }),
        "Attribute 'lang' is not allowed in 'value'",
        "lang=",
      );
      refuses(
        policies({
          inbound: `<check-header name="a" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="false">\n  <value>1</value>\n  <bar />\n</check-header>`,
        }),
        "Element 'bar' is not allowed in 'check-header'",
        "<bar",
      );
      refuses(
        policies({ backend: `<forward-request>\n  now\n</forward-request>` }),
        "Text is not allowed in 'forward-request'",
        "now",
      );
      refuses(
        policies({ inbound: `<return-response><mock-response /></return-response>` }),
        "Element 'mock-response' is not allowed in 'return-response'",
        "<mock-response",
      );
      refuses(
        policies({ inbound: `<return-response>text</return-response>` }),
        "Text is not allowed in 'return-response'",
        "text<",
      );
    });

    it("refuses missing required attributes and bad booleans, integers and choices", () => {
      const checkHeader = (attributes: string) => policies({ inbound: `<check-header ${attributes} />` });
      refuses(
        checkHeader(`name="a" failed-check-httpcode="401" failed-check-error-message="x"`),
        "Attribute 'ignore-case' is required in policy 'check-header'",
        "<check-header",
      );
      refuses(
        checkHeader(`name="a" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="yes"`),
        "Attribute 'ignore-case' must be 'true' or 'false', not 'yes'",
        "ignore-case",
      );
      refuses(
        checkHeader(`name="a" failed-check-httpcode="4o1" failed-check-error-message="x" ignore-case="true"`),
        "Attribute 'failed-check-httpcode' must be an integer between 100 and 599, not '4o1'",
        "failed-check-httpcode",
      );
      refuses(
        checkHeader(`name="" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="true"`),
        "Attribute 'name' of policy 'check-header' must not be empty",
        "name=",
      );
      refuses(
        policies({ inbound: `<set-header name="a" exists-action="replace"><value>1</value></set-header>` }),
        "Attribute 'exists-action' must be one of 'override', 'skip', 'append', 'delete', not 'replace'",
        "exists-action",
      );
      refuses(
        policies({ backend: `<forward-request timeout="-1" />` }),
        "Attribute 'timeout' must be an integer between 1 and 2147483, not '-1'",
        "timeout",
      );
      refuses(
        policies({ inbound: `<set-status code="200" />` }),
        "Attribute 'reason' is required in policy 'set-status'",
        "<set-status",
      );
      refuses(
        policies({ inbound: `<set-header name="a" />` }),
        "Policy 'set-header' needs a 'value' element unless exists-action is 'delete'",
        "<set-header",
      );
    });

    it("never shows a named value's value in a message: values are quoted as written", () => {
      refuses(
        policies({ backend: `<forward-request follow-redirects="{{backend-secret}}" />` }),
        "Attribute 'follow-redirects' must be 'true' or 'false', not '{{backend-secret}}'",
        "follow-redirects",
      );
      refuses(
        policies({ inbound: `<set-backend-service base-url="{{backend-secret}}" />` }),
        "Attribute 'base-url' must be an absolute http or https URL",
        "base-url",
      );
    });

    it("substitutes named values case-insensitively and refuses unknown ones at their position", () => {
      const document = load(policies({ inbound: `<set-backend-service base-url="https://{{TENANT}}.example/api" />` }));
      assert.equal(document.sections.inbound.length, 1);
      refuses(
        policies({ inbound: `<set-header name="a">\n  <value>{{tenant}}-{{missing-value}}</value>\n</set-header>` }),
        "Named value '{{missing-value}}' does not exist",
        "{{tenant}}",
      );
      refuses(
        policies({ inbound: `<set-header name="{{nope}}"><value>1</value></set-header>` }),
        "Named value '{{nope}}' does not exist",
        "{{nope}}",
      );
    });

    it("refuses policy expressions where APIM takes only literals, also through a named value, at their position", () => {
      refuses(
        policies({
          backend: `<forward-request follow-redirects="@(&quot;true&quot;)" />`,
        }),
        "Attribute 'follow-redirects' of policy 'forward-request' does not accept policy expressions",
        "follow-redirects",
      );
      const viaNamedValue = policies({ inbound: `<set-variable name="{{expr}}" value="1" />` });
      assert.equal(
        loadError(viaNamedValue, OPERATION_SCOPE, { namedValues: new Map([["expr", "@(context.RequestId)"]]) }),
        `Attribute 'name' of policy 'set-variable' does not accept policy expressions @ ${at(viaNamedValue, "name=")}`,
      );
    });

    it("checks each policy's own rules", () => {
      refuses(
        policies({ inbound: `<set-backend-service backend-id="orders" />` }),
        "Backend 'orders' does not exist",
        "backend-id",
      );
      refuses(
        policies({ inbound: `<set-backend-service base-url="https://a.example" backend-id="users" />` }),
        "Policy 'set-backend-service' needs exactly one of the attributes 'base-url' and 'backend-id'",
        "<set-backend-service",
      );
      refuses(
        policies({ inbound: `<set-backend-service base-url="ftp://a.example" />` }),
        "Attribute 'base-url' must be an absolute http or https URL",
        "base-url",
      );
      refuses(
        policies({ inbound: `<set-backend-service base-url="https://a.example" sf-partition-key="1" />` }),
        "Service Fabric backends are not supported by this Gatehouse version",
        "sf-partition-key",
      );
      refuses(
        policies({ backend: `<forward-request http-version="2or1" />` }),
        "HTTP/2 to backends is not supported",
        "http-version",
      );
      refuses(
        policies({ backend: `<forward-request timeout="5" timeout-ms="5000" />` }),
        "Attributes 'timeout' and 'timeout-ms' cannot both be set",
        "timeout-ms",
      );
      refuses(
        policies({ inbound: `<return-response response-variable-name="@(&quot;r&quot;)" />` }),
        "Attribute 'response-variable-name' of policy 'return-response' does not accept policy expressions",
        "response-variable-name",
      );
      refuses(
        policies({ outbound: `<set-body template="mustache">{{body.name}}</set-body>` }),
        "Attribute 'template' must be 'liquid'",
        "template",
      );
      for (const header of ["Content-Length", "transfer-encoding", "Connection", "Keep-Alive"]) {
        refuses(
          policies({ inbound: `<set-header name="${header}" exists-action="delete" />` }),
          `Header '${header}' cannot be set or deleted by a policy`,
          "name=",
        );
      }
      refuses(
        policies({ outbound: `<set-header name="server" exists-action="delete" />` }),
        "Header 'Server' cannot be deleted by a policy",
        "name=",
      );
      load(
        policies({
          outbound: `<set-header name="Server" exists-action="override"><value>gatehouse</value></set-header>`,
        }),
      );
      refuses(
        policies({ inbound: `<rewrite-uri template="/users/{userId}" />` }),
        "Template parameter '{userId}' is not a parameter of operation 'get-user' (/users/{id}?expand={expand})",
        "template",
      );
      refuses(
        policies({ inbound: `<rewrite-uri template="/users?q=%zz" />` }),
        "Attribute 'template' holds an invalid percent-encoding",
        "template",
      );
    });
  });

  it("loads 5,500 distinct documents, each into its own sections (speed is bench:parsers' business)", () => {
    const documents = Array.from({ length: 5500 }, (_, i) =>
      policies({
        inbound: `
    <base />
    <check-header name="X-Api-Key" failed-check-httpcode="401" failed-check-error-message="Not authorized" ignore-case="false">
      <value>{{backend-secret}}</value>
      <value>v${i}</value>
    </check-header>
    <set-header name="X-Request-${i}" exists-action="override"><value>one</value><value>two &amp; three</value></set-header>
    <set-query-parameter name="api-version" exists-action="skip"><value>2024-01-01</value></set-query-parameter>
    <rewrite-uri template="/v2/users/{id}?x=1" copy-unmatched-params="true" />
    <set-backend-service backend-id="users" />`,
        backend: `<forward-request timeout="20" buffer-response="false" />`,
        outbound: `<base /><set-header name="X-Powered-By" exists-action="delete" /><set-body>done</set-body>`,
        onError: `<base /><return-response><set-status code="500" reason="Oops" /><set-body><![CDATA[{"error":true}]]></set-body></return-response>`,
      }),
    );
    for (const xml of documents) {
      const document = load(xml, OPERATION_SCOPE);
      assert.deepEqual(names(document.sections.inbound), [
        "<base/>",
        "check-header",
        "set-header",
        "set-query-parameter",
        "rewrite-uri",
        "set-backend-service",
      ]);
    }
  });
});
