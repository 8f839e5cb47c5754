import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { XmlSyntaxError, parseXml } from "../../src/gateway/transform/xml-reader.js";

function syntaxError(source: string): XmlSyntaxError {
  try {
    parseXml(source);
  } catch (error) {
    assert.ok(error instanceof XmlSyntaxError, `expected XmlSyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`accepted: ${source}`);
}

describe("xml reader", () => {
  it("resolves namespaces of elements and attributes, default and prefixed, with inner redeclarations", () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- c --><?pi x?>` +
        `<s:Envelope xmlns:s="urn:s" xmlns="urn:d"><s:Header><h s:mustUnderstand="1" plain="p"/></s:Header>` +
        `<Body><Op xmlns="urn:op"><n>1</n></Op><x:Y xmlns:x="urn:x"/></Body></s:Envelope>\n<!-- after -->`,
    );
    assert.equal(root.namespace, "urn:s");
    assert.equal(root.localName, "Envelope");
    const [header, body] = root.children;
    const h = header?.children[0];
    assert.equal(h?.namespace, "urn:d");
    assert.deepEqual(
      h?.attributes.map((a) => [a.namespace, a.localName, a.value]),
      [
        ["urn:s", "mustUnderstand", "1"],
        ["", "plain", "p"],
      ],
    );
    assert.equal(body?.namespace, "urn:d");
    assert.equal(body?.children[0]?.namespace, "urn:op");
    assert.equal(body?.children[0]?.children[0]?.namespace, "urn:op");
    assert.equal(body?.children[0]?.children[0]?.text, "1");
    assert.equal(body?.children[1]?.namespace, "urn:x");
  });

  it("decodes the predefined entities, character references and CDATA, and nothing else", () => {
    const el = parseXml(`<a t="&quot;x&apos;&#9;">&lt;&gt;&amp;&#65;&#x1F600;<![CDATA[<&amp;>]]><!--skip--></a>`);
    assert.equal(el.text, "<>&A\u{1F600}<&amp;>");
    assert.equal(el.attributes[0]?.value, `"x' `);
  });

  it("refuses document type declarations, so no entity can be defined or expanded", () => {
    assert.match(syntaxError(`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`).reason, /document type declarations/);
    assert.match(syntaxError(`<a><!ENTITY x "y"></a>`).reason, /markup declarations/);
    assert.match(syntaxError(`<a>&x;</a>`).reason, /undefined entity &x;/);
    assert.match(syntaxError(`<a>&#0;</a>`).reason, /not a legal XML character/);
    assert.match(syntaxError(`<a>a & b</a>`).reason, /& must start/);
  });

  it("reports where a document is not well-formed", () => {
    const e = syntaxError(`<a>\n  <b></c>\n</a>`);
    assert.equal(e.reason, "</c> does not close <b>");
    assert.equal(e.line, 2);
    assert.equal(e.column, 6);
    assert.match(syntaxError(``).reason, /no root element/);
    assert.match(syntaxError(`hello`).reason, /text before the root/);
    assert.match(syntaxError(`<a/><b/>`).reason, /content after the root/);
    assert.match(syntaxError(`<a>`).reason, /not closed/);
    assert.match(syntaxError(`<a x="1" x="2"/>`).reason, /duplicate attribute/);
    assert.match(syntaxError(`<a x=1/>`).reason, /must be quoted/);
    assert.match(syntaxError(`<a x="<"/>`).reason, /< is not allowed/);
    assert.match(syntaxError(`<p:a/>`).reason, /prefix "p" is not declared/);
    assert.match(syntaxError(`<a><?xml version="1.0"?></a>`).reason, /misplaced XML declaration/);
    assert.match(syntaxError(`<a>]]></a>`).reason, /]]> is not allowed/);
  });

  it("bounds the nesting depth", () => {
    assert.equal(parseXml(`${"<a>".repeat(64)}${"</a>".repeat(64)}`).localName, "a");
    assert.match(syntaxError(`${"<a>".repeat(65)}${"</a>".repeat(65)}`).reason, /nested deeper than 64/);
  });
});
