import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MAX_EXPRESSION_NESTING } from "../../src/gateway/expressions/lexer.js";
import { MAX_ATTRIBUTES_PER_ELEMENT, MAX_POLICY_DOCUMENT_LENGTH } from "../../src/gateway/policy/xml.js";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { assertArmError, put, SHORT } from "./helpers.js";

/**
 * Issue 10, finding 2: admin-written policy documents that stalled every listener while they were read are refused at
 * once, in ARM's error shape, and the document in force is kept.
 */
let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
  await put(h, `${SHORT}/apis/limits`, {
    properties: { displayName: "Limits", path: "limits", protocols: ["https"], subscriptionRequired: false },
  });
});
after(async () => {
  await h.close();
});

const KEPT = "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>";

/** A document whose inbound section holds `inbound`. */
const documentWith = (inbound: string) =>
  `<policies>\n  <inbound>\n    <base />\n    ${inbound}\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n</policies>`;

/** PUTs the document as the API's policy; returns ARM's error message and checks the kept document is unchanged. */
async function refusal(xml: string): Promise<string> {
  const error = assertArmError(
    await h.call("PUT", `${SHORT}/apis/limits/policies/policy`, { body: { properties: { value: xml } } }),
    400,
    "ValidationError",
  );
  const kept = await h.call<{ properties: { value: string } }>("GET", `${SHORT}/apis/limits/policies/policy`);
  assert.equal(kept.json.properties.value, KEPT);
  return error.message;
}

describe("policy document limits through the admin API", () => {
  before(async () => {
    await put(h, `${SHORT}/apis/limits/policies/policy`, { properties: { value: KEPT } });
  });

  test("a 260 KB document with 29,000 attributes on one element is refused at its 65th attribute", async () => {
    const attributes = Array.from({ length: 29_000 }, (_, i) => ` a${i.toString(36)}="v"`).join("");
    const xml = documentWith(
      `<set-header name="x" exists-action="override"${attributes}><value>1</value></set-header>`,
    );
    assert.ok(xml.length > 250_000 && xml.length <= MAX_POLICY_DOCUMENT_LENGTH, `${xml.length}`);
    const message = await refusal(xml);
    assert.match(message, new RegExp(`'set-header' has more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes`));
    assert.match(message, /line 4, column \d+/);
  });

  test("a document longer than 256 KiB is refused before it is read", async () => {
    const xml = documentWith(`<!--${"x".repeat(MAX_POLICY_DOCUMENT_LENGTH)}-->`);
    const message = await refusal(xml);
    assert.match(message, new RegExp(`more than the ${MAX_POLICY_DOCUMENT_LENGTH} a policy may have`));
  });

  test("elements nested 100,000 levels deep are refused", async () => {
    // 100,000 levels do not fit in 256 KiB; as deep as fits is refused at the 101st level.
    const depth = Math.floor(MAX_POLICY_DOCUMENT_LENGTH / 8);
    assert.match(
      await refusal(documentWith(`${"<a>".repeat(depth)}${"</a>".repeat(depth)}`)),
      /Elements are nested more than 100 levels deep/,
    );
    assert.match(await refusal(`${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`), /more than the \d+ a policy/);
  });

  test("a policy expression nested as deep as a document allows is refused at the offending token", async () => {
    const parentheses = `<set-header name="x" exists-action="override"><value>@(${"(".repeat(100_000)}1${")".repeat(100_000)})</value></set-header>`;
    assert.match(await refusal(documentWith(parentheses)), /The policy expression is nested too deeply \(line 4/);
    const interpolations = `<set-variable name="v" value="@(${"$&quot;{".repeat(12_000)}1${"}&quot;".repeat(12_000)})" />`;
    assert.match(
      await refusal(documentWith(interpolations)),
      new RegExp(`nested more than ${MAX_EXPRESSION_NESTING} levels deep \\(line 4`),
    );
    const negations = `<set-variable name="v" value="@(${"!".repeat(200_000)}true)" />`;
    assert.match(await refusal(documentWith(negations)), /nested too deeply \(line 4/);
  });

  test("a Liquid template nested as deep as a document allows is refused", async () => {
    const liquid = `<set-body template="liquid">${"{% if true %}".repeat(10_000)}x${"{% endif %}".repeat(10_000)}</set-body>`;
    assert.match(await refusal(documentWith(liquid)), /Tags are nested more than 64 levels deep/);
    const ranges = `<set-body template="liquid">{{ ${"(".repeat(20_000)}1..2${")".repeat(20_000)} }}</set-body>`;
    assert.match(await refusal(documentWith(ranges)), /Values are nested more than 64 levels deep/);
    const chained = `<set-body template="liquid">{% if ${Array(20_000).fill("true").join(" and ")} %}x{% endif %}</set-body>`;
    assert.match(await refusal(documentWith(chained)), /More than 64 conditions joined by 'and'\/'or'/);
  });
});
