import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import type { GatewayResponse } from "../../src/gateway/pipeline/context.js";
import { HeaderMap } from "../../src/gateway/pipeline/headers.js";
import { headersOf, loadError, policies, run, type TestRequest } from "./helpers.js";

/** An API-scope document (plus the default global policy). */
async function api(sections: Parameters<typeof policies>[0], request: TestRequest = {}) {
  return run({ global: DEFAULT_GLOBAL_POLICY, api: policies({ backend: "<base/>", ...sections }) }, request);
}

/** A backend answer with a content type; a stream when `streamed`. */
function answer(contentType: string, body: string, streamed = false): () => GatewayResponse {
  return () => {
    const headers = new HeaderMap();
    headers.set("Content-Type", [contentType]);
    return { statusCode: 200, statusReason: "OK", headers, body: streamed ? Readable.from([Buffer.from(body)]) : body };
  };
}

describe("set-body with a Liquid template", () => {
  const order = JSON.stringify({
    customer: {
      name: "Ann Lee",
      tier: "gold",
      purchase: {
        identifier: "o-17",
        lines: [
          { sku: "a", qty: 2 },
          { sku: "b", qty: 1 },
        ],
      },
    },
    tags: ["x", "y"],
    active: true,
    note: null,
  });

  it("renders body paths, indexers, filters, loops and conditions from a JSON request body", async () => {
    const template = `<set-body template="liquid">
{"id": "{{body.customer.purchase.identifier}}", "who": "{{ body.customer.name | Upcase }}",
 "first": "{{ body.customer.purchase.lines[0].sku }}", "count": {{ body.customer.purchase.lines | Size }},
 "lines": [{% for line in body.customer.purchase.lines %}"{{ line.sku }}x{{ line.qty }}"{% unless forloop.last %},{% endunless %}{% endfor %}],
 "level": "{% if body.customer.tier == "gold" and body.active %}vip{% elsif body.customer.tier == "silver" %}plus{% else %}std{% endif %}",
 "tags": "{{ body.tags | Join: "+" }}", "note": "{{ body.note | Default: "none" }}", "has": {% if body.tags contains "y" %}true{% else %}false{% endif %}}
</set-body>`;
    const { forwarded } = await api(
      { inbound: template },
      { method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" }, body: order },
    );
    assert.deepEqual(JSON.parse(forwarded[0]?.body as string), {
      id: "o-17",
      who: "ANN LEE",
      first: "a",
      count: 2,
      lines: ["ax2", "bx1"],
      level: "vip",
      tags: "x+y",
      note: "none",
      has: true,
    });
  });

  it("builds XML from child elements, binds context, and reads a streamed body", async () => {
    const template = `<set-body template="liquid">
  <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
    <soap:Body><Get><cust>{{body.customer.name}}</cust><m>{{context.Request.Method}}</m><ip>{{context.Request.IpAddress}}</ip><id>{{context.Request.MatchedParameters["id"]}}</id><h>{{context.Request.Headers["x-tenant"]}}</h><a>1 &amp; 2</a></Get></soap:Body>
  </soap:Envelope>
</set-body>`;
    const { forwarded } = await api(
      { inbound: template },
      {
        method: "POST",
        headers: { "content-type": "application/json", "X-Tenant": "contoso" },
        body: Readable.from([Buffer.from(order)]),
      },
    );
    assert.equal(
      forwarded[0]?.body,
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
    <soap:Body><Get><cust>Ann Lee</cust><m>POST</m><ip>127.0.0.1</ip><id>5</id><h>contoso</h><a>1 &amp; 2</a></Get></soap:Body>
  </soap:Envelope>`,
    );
  });

  it("renders the response in outbound, with the status code, and XML bodies with xsi-nil", async () => {
    const outbound = await api(
      {
        outbound: `<set-body template="liquid">{"status": {{context.Response.StatusCode}}, "name": "{{body.name}}"}</set-body>`,
      },
      { backend: answer("application/json", `{"name":"streamed"}`, true) },
    );
    assert.equal(outbound.context.response?.body, `{"status": 200, "name": "streamed"}`);
    const xml = `<?xml version="1.0"?><Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Body><Name>Bo</Name><Mid xsi:nil="true"/></Body></Envelope>`;
    for (const nil of ["blank", "null"]) {
      const { context } = await api(
        {
          outbound: `<set-body template="liquid" xsi-nil="${nil}">{{body.Envelope.Body.Name}}|[{{body.Envelope.Body.Mid}}]|{% if body.Envelope.Body.Mid == nil %}null{% else %}blank{% endif %}</set-body>`,
        },
        { backend: answer("text/xml", xml) },
      );
      assert.equal(context.response?.body, `Bo|[]|${nil}`, nil);
    }
  });

  it("gives a body of another type, and a return-response's empty body, nothing to bind", async () => {
    const plain = await api({ outbound: `<set-body template="liquid">[{{body}}]</set-body>` });
    assert.equal(plain.context.response?.body, "[]");
    const returned = await api(
      {
        inbound: `<return-response><set-body template="liquid">[{{body.name}}]{{ context.Request.Method }}</set-body></return-response>`,
      },
      { headers: { "content-type": "application/json" }, body: `{"name":"x"}` },
    );
    assert.equal(returned.context.response?.body, "[]GET");
  });

  it("supports the tags and filters of its subset", async () => {
    const body = JSON.stringify({ n: 7, s: "Hello World", list: [3, 1, 2], when: "2024-01-05T10:20:30Z", blank: "  " });
    const cases: [string, string][] = [
      ["{% case body.n %}{% when 1, 7 %}one-or-seven{% else %}other{% endcase %}", "one-or-seven"],
      ["{% for i in body.list limit:2 offset:1 %}{{ forloop.index }}:{{ i }};{% endfor %}", "1:1;2:2;"],
      ["{% for i in body.list reversed %}{% if i == 1 %}{% break %}{% endif %}{{ i }}{% endfor %}", "2"],
      ["{% for i in (1..4) %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}{% endfor %}", "134"],
      ["{% for i in body.missing %}x{% else %}none{% endfor %}", "none"],
      ["{% capture c %}[{{ body.n | Plus: 1 }}]{% endcapture %}{{ c }}{{ c | Size }}", "[8]3"],
      ["{% raw %}{{ kept }}{% endraw %}{% comment %}{{ dropped }}{% endcomment %}", "{{ kept }}"],
      ["a  {{- body.n -}}  b {%- if true -%} c {%- endif %}", "a7bc"],
      ["{{ body.n | DividedBy: 2 }} {{ body.n | Times: 1.5 }} {{ body.n | Modulo: 4 }} {{ -3 | Abs }}", "3 10.5 3 3"],
      ['{{ body.s | Replace: "World", "There" | Append: "!" | Downcase }}', "hello there!"],
      [
        '{{ body.s | Split: " " | Last }} {{ body.list | Sort | Join: "," }} {{ body.s | Slice: 0, 5 }}',
        "World 1,2,3 Hello",
      ],
      [
        '{{ body.when | Date: "yyyyMMddTHH:mm:ssZ" }} {{ body.when | Date: "dd MMM yyyy" }}',
        "20240105T10:20:30Z 05 Jan 2024",
      ],
      [
        '{{ "a b&c/é" | UrlEncode }} {{ "a+b%26c" | UrlDecode }} {{ "<b>" | Escape }}',
        "a+b%26c%2F%C3%A9 a b&c &lt;b&gt;",
      ],
      [
        "{% unless body.blank == blank %}set{% else %}blank{% endunless %} {% if body.list.size > 2 %}big{% endif %}",
        "blank big",
      ],
      [
        "{% assign t = body.s | Truncate: 8 %}{{ t }} {{ body.s | TruncateWords: 1 }} {{ body.nothing | Default: 0 }}",
        "Hello... Hello... 0",
      ],
      ["{{ body.__proto__ }}{{ body.constructor }}{{ body.s.size }}", "11"],
    ];
    for (const [template, expected] of cases) {
      const { forwarded } = await api(
        { inbound: `<set-body template="liquid"><![CDATA[${template}]]></set-body>` },
        { method: "POST", headers: { "Content-Type": "application/json" }, body },
      );
      assert.equal(forwarded[0]?.body, expected, template);
    }
  });

  it("keeps named values that exist and leaves other {{…}} to the template", async () => {
    const { context } = await api({
      outbound: `<set-body template="liquid">{{tenant}}/{{ tenant }}/{{missing}}</set-body>`,
    });
    assert.equal(context.response?.body, "contoso//");
  });

  it("refuses a template that does not parse, at its position", () => {
    const cases: [string, string][] = [
      [
        `<set-body template="liquid">{{ body.x | upcase }}</set-body>`,
        "Unknown filter 'upcase' (filters are PascalCase: 'Upcase')",
      ],
      [`<set-body template="liquid">{% if body.x %}open</set-body>`, "'if' is not closed with 'endif'"],
      [`<set-body template="liquid">{% include "x" %}</set-body>`, "Liquid tag 'include' is not supported"],
      [
        `<set-body template="liquid">{{ body.x | Truncate: 1, 2, 3 }}</set-body>`,
        "Filter 'Truncate' takes 0 to 2 argument(s), not 3",
      ],
      [`<set-body template="liquid">{% endfor %}</set-body>`, "'endfor' has no matching opening tag"],
    ];
    for (const [policy, message] of cases) {
      const error = loadError(policies({ outbound: `\n  ${policy}` }));
      assert.ok(error.startsWith(`Liquid template: ${message}`), `${error}`);
      assert.match(error, / @ 2:\d+$/);
    }
    assert.equal(
      loadError(policies({ outbound: `<set-body template="liquid">ok\n  {{ x | Nope }}</set-body>` })),
      "Liquid template: Unknown filter 'Nope' @ 2:10",
    );
  });

  it("fails the request, not the gateway, when a template exceeds its budget", async () => {
    const { context } = await api({
      outbound: `<set-body template="liquid">{% assign s = "ab" %}{% for i in (1..40) %}{% assign s = s | Append: s %}{% endfor %}{{ s | Size }}</set-body>`,
    });
    assert.equal(context.response?.statusCode, 500);
    assert.equal(context.lastError?.reason, "LiquidTemplateFailure");
    assert.match(context.lastError?.message ?? "", /would exceed 16777216 characters/);
    const loop = await api({
      outbound: `<set-body template="liquid">{% for i in (1..1000000) %}x{% endfor %}</set-body>`,
    });
    assert.match(loop.context.lastError?.message ?? "", /exceeds the template's budget/);
  });
});

describe("find-and-replace", () => {
  it("replaces every occurrence in the request body in inbound and the response body in outbound", async () => {
    const { forwarded, context } = await api(
      {
        inbound: `<find-and-replace from="notebook" to="laptop" />`,
        outbound: `<find-and-replace from="backend" to="" /><find-and-replace from="from" to="by the" />`,
      },
      { method: "POST", body: Readable.from([Buffer.from("a notebook, another notebook")]) },
    );
    assert.equal(forwarded[0]?.body, "a laptop, another laptop");
    assert.equal(context.response?.body, "by the ");
  });

  it("leaves a message without a body alone and needs both attributes", async () => {
    const { forwarded } = await api({ inbound: `<find-and-replace from="a" to="b" />` });
    assert.equal(forwarded[0]?.body, undefined);
    assert.equal(
      loadError(policies({ inbound: `<find-and-replace from="a" />` })),
      "Attribute 'to' is required in policy 'find-and-replace' @ 1:20",
    );
  });
});

describe("json-to-xml", () => {
  const person = `{"firstName":"John","isAlive":true,"age":25,"price":1.50,"address":{"city":"New York"},"phones":[{"type":"home"},{"type":"mobile"}],"children":[],"spouse":null}`;

  it("writes APIM's <Document> shape: repeated elements, True, xsi:nil, numbers as sent", async () => {
    const { context } = await api(
      { outbound: `<json-to-xml apply="always" consider-accept-header="false" />` },
      { backend: answer("application/json", person) },
    );
    assert.equal(
      context.response?.body,
      `<Document>
  <firstName>John</firstName>
  <isAlive>True</isAlive>
  <age>25</age>
  <price>1.50</price>
  <address>
    <city>New York</city>
  </address>
  <phones>
    <type>home</type>
  </phones>
  <phones>
    <type>mobile</type>
  </phones>
  <children />
  <spouse xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />
</Document>`,
    );
    assert.equal(headersOf(context.response)["Content-Type"]?.[0], "application/xml");
  });

  it("declares namespaces, uses attribute blocks and the separator, and parses dates", async () => {
    const envelope = JSON.stringify({
      "soapenv:Envelope": {
        "xmlns:soapenv": "http://schemas.xmlsoap.org/soap/envelope/",
        "xmlns:v1": "http://localdomain.com/core/v1",
        "soapenv:Header": {},
        "soapenv:Body": {
          "v1:QueryList": { "#attrs": { queryName: "test" }, "v1:At": "2024-01-05T10:00:00.500Z", first_name: "x y" },
        },
      },
    });
    const { context } = await api(
      {
        outbound: `<json-to-xml apply="always" consider-accept-header="false" parse-date="true" namespace-separator=":" namespace-prefix="xmlns" attribute-block-name="#attrs" />`,
      },
      { backend: answer("application/json", envelope) },
    );
    assert.equal(
      context.response?.body,
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v1="http://localdomain.com/core/v1">
  <soapenv:Header />
  <soapenv:Body>
    <v1:QueryList queryName="test">
      <v1:At>2024-01-05T10:00:00.5Z</v1:At>
      <first_name>x y</first_name>
    </v1:QueryList>
  </soapenv:Body>
</soapenv:Envelope>`,
    );
  });

  it("converts only JSON with content-type-json, and only when the client accepts XML by default", async () => {
    const text = await api({ outbound: `<json-to-xml apply="content-type-json" consider-accept-header="false" />` });
    assert.equal(text.context.response?.body, "from backend");
    const notAccepted = await api(
      { outbound: `<json-to-xml apply="always" />` },
      { backend: answer("application/json", `{"a":1}`), headers: { Accept: "application/json" } },
    );
    assert.equal(notAccepted.context.response?.body, `{"a":1}`);
    const accepted = await api(
      { outbound: `<json-to-xml apply="always" />` },
      { backend: answer("application/json", `{"a":1}`), headers: { Accept: "text/html, application/xml;q=0.9" } },
    );
    assert.equal(accepted.context.response?.body, "<Document>\n  <a>1</a>\n</Document>");
  });

  it("converts the request in inbound, and fails on a body that is not JSON", async () => {
    const { forwarded } = await api(
      { inbound: `<json-to-xml apply="content-type-json" consider-accept-header="false" />` },
      { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"order":{"id":7}}` },
    );
    assert.equal(forwarded[0]?.body, "<order>\n  <id>7</id>\n</order>");
    assert.deepEqual(forwarded[0]?.headers, [["Content-Type", ["application/xml"]]]);
    const broken = await api(
      { outbound: `<json-to-xml apply="always" consider-accept-header="false" />` },
      { backend: answer("application/json", `{"a":`) },
    );
    assert.equal(broken.context.response?.statusCode, 500);
    assert.equal(broken.context.lastError?.reason, "BodyConversionFailure");
  });
});

describe("xml-to-json", () => {
  const soap = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns="http://fyicenter.com/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetOrders id="3"><Customer>1234567</Customer><Item>a</Item><Item>b</Item><Empty/></GetOrders>
  </soap:Body>
</soap:Envelope>`;

  it("direct: declaration fields, prefixes with $, @attributes, arrays for repeated elements", async () => {
    const { context } = await api(
      { outbound: `<xml-to-json kind="direct" apply="always" consider-accept-header="false" />` },
      { backend: answer("text/xml", soap, true) },
    );
    assert.deepEqual(JSON.parse(context.response?.body as string), {
      version: "1.0",
      encoding: "utf-8",
      soap$Envelope: {
        "@xmlns": "http://fyicenter.com/",
        "@xmlns$soap": "http://schemas.xmlsoap.org/soap/envelope/",
        soap$Body: { GetOrders: { "@id": "3", Customer: "1234567", Item: ["a", "b"], Empty: null } },
      },
    });
    assert.equal(headersOf(context.response)["Content-Type"]?.[0], "application/json");
  });

  it("javascript-friendly: no declaration, namespaces or prefixes; always-array-child-elements", async () => {
    const { context } = await api(
      {
        outbound: `<xml-to-json kind="javascript-friendly" apply="content-type-xml" consider-accept-header="false" always-array-child-elements="true" />`,
      },
      { backend: answer("application/soap+xml", soap) },
    );
    assert.deepEqual(JSON.parse(context.response?.body as string), {
      Envelope: { Body: [{ GetOrders: [{ "@id": "3", Customer: ["1234567"], Item: ["a", "b"], Empty: [null] }] }] },
    });
  });

  it("converts only when asked to: content type, Accept, and refuses a kind it does not know", async () => {
    const notXml = await api(
      { outbound: `<xml-to-json kind="direct" apply="content-type-xml" consider-accept-header="false" />` },
      { backend: answer("application/json", "<a/>") },
    );
    assert.equal(notXml.context.response?.body, "<a/>");
    const accepted = await api(
      { outbound: `<xml-to-json kind="direct" apply="always" />` },
      { backend: answer("text/xml", "<a>1</a>"), headers: { Accept: "application/json" } },
    );
    assert.equal(accepted.context.response?.body, `{"a":"1"}`);
    assert.equal(
      loadError(policies({ outbound: `<xml-to-json kind="pretty" apply="always" />` })),
      "Attribute 'kind' must be one of 'javascript-friendly', 'direct', not 'pretty' @ 1:34",
    );
    assert.equal(
      loadError(policies({ outbound: `<xml-to-json kind="direct" />` })),
      "Attribute 'apply' is required in policy 'xml-to-json' @ 1:21",
    );
    assert.equal(
      loadError(policies({ backend: `<xml-to-json kind="direct" apply="always" />` })),
      "Policy 'xml-to-json' is not allowed in section 'backend' @ 1:20",
    );
  });
});
