import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PolicyScope } from "../../src/gateway/model/configuration.js";
import { MAX_BUFFERED_BODY } from "../../src/gateway/pipeline/body-buffer.js";
import { MAX_BODY_NODES } from "../../src/gateway/transform/body-limits.js";
import { call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";

/**
 * The body attacks of issue 10 (finding 2) through the real gateway listener: what the quadratic readers stalled on is
 * now converted, and what is beyond a body policy's budget is a policy error that on-error answers.
 */
const OPERATIONS = [
  "xml-to-json",
  "json-to-xml",
  "liquid",
  "liquid-output",
  "find-and-replace",
  "body-as-jobject",
  "form",
] as const;
type Operation = (typeof OPERATIONS)[number];

/** on-error (API scope) answers 422 with what LastError says, so a test sees that on-error ran and why. */
const API_POLICY = `<policies>
  <inbound><base /></inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error>
    <return-response>
      <set-status code="422" reason="Refused" />
      <set-body>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Message)</set-body>
    </return-response>
  </on-error>
</policies>`;

const INBOUND: Record<Operation, string> = {
  "xml-to-json": `<xml-to-json kind="direct" apply="always" consider-accept-header="false" />`,
  "json-to-xml": `<json-to-xml apply="always" consider-accept-header="false" namespace-prefix="xmlns" />`,
  liquid: `<set-body template="liquid">{{ body.a | Size }}:{{ body.b | Uniq | Size }}</set-body>`,
  "liquid-output": `<set-body template="liquid">{{ body.a }}</set-body>`,
  "find-and-replace": `<find-and-replace from="a" to="${"b".repeat(200)}" />`,
  "body-as-jobject": `<set-body>@(context.Request.Body.As&lt;JObject&gt;().Count.ToString())</set-body>`,
  form: `<set-body>@(context.Request.Body.AsFormUrlEncodedContent().Count.ToString())</set-body>`,
};

/** The policy under test, then the request's body (as the policy left it) as the answer. */
const operationPolicy = (operation: Operation) => `<policies>
  <inbound>
    <base />
    ${INBOUND[operation]}
    <return-response><set-body>@(context.Request.Body.As&lt;string&gt;())</set-body></return-response>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;

describe("body-reading policies on hostile bodies", () => {
  let test: GatewayTest;

  before(async () => {
    test = await startGatewayTest(
      (backends) => `gateway:
  apis:
    - name: bodies
      displayName: Bodies
      path: bodies
      serviceUrl: ${backends.echoUrl}
      subscriptionRequired: false
      operations:
${OPERATIONS.map((name) => `        - { name: ${name}, displayName: ${name}, method: POST, urlTemplate: "/${name}" }`).join("\n")}
`,
    );
    const { gateway } = test.gh;
    await gateway.policies.put({ kind: "api", api: "bodies" }, API_POLICY);
    for (const operation of OPERATIONS) {
      const scope: PolicyScope = { kind: "operation", api: "bodies", operation };
      await gateway.policies.put(scope, operationPolicy(operation));
    }
    await test.gh.reloadGateway();
  });
  after(() => test.stop());

  const post = (operation: Operation, contentType: string, body: string) =>
    call(test.gh, `${test.gh.gatewayUrl}/bodies/${operation}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });

  /** The request's body after the policy, as text. */
  const converted = async (operation: Operation, contentType: string, body: string): Promise<string> => {
    const reply = await post(operation, contentType, body);
    assert.equal(reply.status, 200, reply.text);
    return reply.text;
  };

  /** The refusal on-error answered: [source, reason, message]. */
  const refused = async (operation: Operation, contentType: string, body: string): Promise<string[]> => {
    const reply = await post(operation, contentType, body);
    assert.equal(reply.status, 422, reply.text);
    return reply.text.split("|");
  };

  it("converts one element with 40,000 attributes (419 KB) to JSON", async () => {
    const attributes = Array.from({ length: 40_000 }, (_, i) => ` attribute${i}="value ${i}"`).join("");
    const xml = `<r${attributes}/>`;
    assert.ok(xml.length > 400_000);
    const json = JSON.parse(await converted("xml-to-json", "application/xml", xml)) as { r: Record<string, string> };
    assert.equal(Object.keys(json.r).length, 40_000);
    assert.equal(json.r["@attribute0"], "value 0");
    assert.equal(json.r["@attribute39999"], "value 39999");
  });

  it("converts 2,000 namespace declarations over 50,000 empty children (225 KB) to JSON", async () => {
    const declarations = Array.from({ length: 2_000 }, (_, i) => ` xmlns:p${i}="urn:n:${i}"`).join("");
    const xml = `<r${declarations}>${"<p1999:c/>".repeat(50_000)}</r>`;
    const json = JSON.parse(await converted("xml-to-json", "application/xml", xml)) as { r: Record<string, unknown> };
    assert.equal(json.r["@xmlns$p0"], "urn:n:0");
    assert.equal(json.r["@xmlns$p1999"], "urn:n:1999");
    const children = json.r["p1999$c"] as unknown[];
    assert.equal(children.length, 50_000);
    assert.ok(children.every((child) => child === null));
  });

  it("refuses an XML body of more elements and attributes than the budget in on-error", async () => {
    const xml = `<r>${"<c/>".repeat(MAX_BODY_NODES)}</r>`;
    const [source, reason, message] = await refused("xml-to-json", "application/xml", xml);
    assert.equal(source, "xml-to-json");
    assert.equal(reason, "BodyConversionFailure");
    assert.match(message ?? "", new RegExp(`more than ${MAX_BODY_NODES} elements and attributes`));
  });

  it("refuses XML nested 100,000 levels deep in on-error", async () => {
    const xml = `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`;
    const [source, reason, message] = await refused("xml-to-json", "text/xml", xml);
    assert.deepEqual([source, reason], ["xml-to-json", "BodyConversionFailure"]);
    assert.match(message ?? "", /elements nested deeper than 64/);
  });

  it("refuses an XML declaration that is not one, without scanning it again and again", async () => {
    const xml = `<?xml ${"v".repeat(200_000)} ?><r/>`;
    const [, reason, message] = await refused("xml-to-json", "application/xml", xml);
    assert.equal(reason, "BodyConversionFailure");
    assert.match(message ?? "", /malformed XML declaration/);
  });

  it("writes XML for 2,000 namespace prefixes over 50,000 array items", async () => {
    const prefixes = Array.from({ length: 2_000 }, (_, i) => `"xmlns_p${i}": "urn:n:${i}"`).join(",");
    const json = `{"r": {${prefixes}, "p1999_c": [${Array(50_000).fill("1").join(",")}]}}`;
    const xml = await converted("json-to-xml", "application/json", json);
    assert.ok(xml.startsWith(`<r xmlns:p0="urn:n:0"`), xml.slice(0, 80));
    assert.equal(xml.split("<p1999:c>1</p1999:c>").length - 1, 50_000);
  });

  it("refuses JSON nested 100,000 levels deep in on-error", async () => {
    const json = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    const [source, reason, message] = await refused("json-to-xml", "application/json", json);
    assert.deepEqual([source, reason], ["json-to-xml", "BodyConversionFailure"]);
    assert.match(message ?? "", /JSON nested deeper than 128/);
  });

  it("refuses JSON of more values than the budget in on-error", async () => {
    const json = `[${Array(MAX_BODY_NODES).fill("0").join(",")}]`;
    const [, reason, message] = await refused("json-to-xml", "application/json", json);
    assert.equal(reason, "BodyConversionFailure");
    assert.match(message ?? "", new RegExp(`more than ${MAX_BODY_NODES} values`));
  });

  it("refuses XML that would be larger than a body may be (a long name repeated by an array) in on-error", async () => {
    const name = "n".repeat(10_000);
    const json = `{"r": {"${name}": [${Array(1_000).fill("0").join(",")}]}}`;
    const [, reason, message] = await refused("json-to-xml", "application/json", json);
    assert.equal(reason, "BodyConversionFailure");
    assert.match(message ?? "", new RegExp(`longer than ${MAX_BUFFERED_BODY} characters`));
  });

  it("binds JSON to Liquid within the limits, and refuses a body nested 100,000 levels deep in on-error", async () => {
    const distinct = Array.from({ length: 100_000 }, (_, i) => `"v${i}"`).join(",");
    const within = `{"a": ${"[".repeat(100)}${"]".repeat(100)}, "b": [${distinct},${distinct}]}`;
    assert.equal(await converted("liquid", "application/json", within), "1:100000");
    const deep = `{"a": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    for (const operation of ["liquid", "liquid-output"] as const) {
      const [source, reason, message] = await refused(operation, "application/json", deep);
      assert.deepEqual([source, reason], ["set-body", "LiquidTemplateFailure"]);
      assert.match(message ?? "", /The JSON body is nested deeper than 128/);
    }
  });

  it("refuses a find-and-replace that would make the body larger than a body may be, in on-error", async () => {
    const [source, reason, message] = await refused("find-and-replace", "text/plain", "a".repeat(100_000));
    assert.deepEqual([source, reason], ["find-and-replace", "BodyTooLarge"]);
    assert.match(message ?? "", new RegExp(`more than ${MAX_BUFFERED_BODY}`));
  });

  it("refuses Body.As<JObject>() of JSON nested 100,000 levels deep, in on-error", async () => {
    const json = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    const [, reason, message] = await refused("body-as-jobject", "application/json", json);
    assert.equal(reason, "ExpressionValueEvaluationFailure");
    assert.match(message ?? "", /MaxDepth of 64/);
  });

  it("refuses Body.As<JObject>() of more values than the budget, in on-error", async () => {
    const json = `{"a": [${Array(MAX_BODY_NODES).fill("0").join(",")}]}`;
    const [, reason, message] = await refused("body-as-jobject", "application/json", json);
    assert.equal(reason, "ExpressionValueEvaluationFailure");
    assert.match(message ?? "", new RegExp(`more than ${MAX_BODY_NODES} values`));
  });

  it("reads a form of 100,000 distinct fields once, and refuses one of more fields than the budget, in on-error", async () => {
    const fields = (count: number) => Array.from({ length: count }, (_, i) => `f${i}=${i}`).join("&");
    assert.equal(await converted("form", "application/x-www-form-urlencoded", fields(100_000)), "100000");
    const [, reason, message] = await refused("form", "application/x-www-form-urlencoded", fields(MAX_BODY_NODES + 1));
    assert.equal(reason, "ExpressionValueEvaluationFailure");
    assert.match(message ?? "", new RegExp(`more than ${MAX_BODY_NODES} fields`));
  });
});
