import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PolicyLoadError } from "../../src/gateway/policy/definition.js";
import { parseXml, type XmlElement, type XmlNode } from "../../src/gateway/policy/xml.js";

function parseError(source: string): string {
  try {
    parseXml(source);
  } catch (error) {
    assert.ok(error instanceof PolicyLoadError, String(error));
    return `${error.detail} @ ${error.position?.line}:${error.position?.column}`;
  }
  throw new Error("the document parsed");
}

const element = (node: XmlNode | undefined): XmlElement => {
  assert.equal(node?.kind, "element");
  return node as XmlElement;
};

/** Child elements only. */
const elements = (node: XmlElement): XmlElement[] => node.children.filter((c) => c.kind === "element");

describe("XML reader: well-formed documents", () => {
  it("reads elements, attributes, text, CDATA, comments, the declaration and entities, with positions", () => {
    const source = [
      '<?xml version="1.0" encoding="utf-8"?>',
      "<!-- leading comment -->",
      "<policies>",
      "  <inbound>",
      `    <set-header name='X-A' exists-action="override"><value>a &lt; b &amp; c &#38; &#x41;&quot;&apos;&gt;</value></set-header>`,
      "    <set-body><![CDATA[<raw> & ]]>tail<!-- between -->end</set-body>",
      "    <base />",
      "  </inbound>",
      "</policies>",
      "<!-- trailing comment -->",
      "",
    ].join("\n");
    const root = parseXml(source);
    assert.equal(root.name, "policies");
    assert.deepEqual(root.position, { line: 3, column: 1 });
    const inbound = element(elements(root)[0]);
    assert.deepEqual(inbound.position, { line: 4, column: 3 });
    const [setHeader, setBody, base] = elements(inbound);
    assert.deepEqual(
      element(setHeader).attributes.map((a) => [a.name, a.value, a.position.line, a.position.column, a.expression]),
      [
        ["name", "X-A", 5, 17, false],
        ["exists-action", "override", 5, 28, false],
      ],
    );
    const value = element(element(setHeader).children[0]);
    assert.deepEqual(value.children, [
      { kind: "text", value: `a < b & c & A"'>`, position: { line: 5, column: 60 }, expression: false },
    ]);
    // CDATA and the text around it (across a comment) form one node.
    assert.deepEqual(element(setBody).children, [
      { kind: "text", value: "<raw> & tailend", position: { line: 6, column: 15 }, expression: false },
    ]);
    assert.deepEqual(element(base), {
      kind: "element",
      name: "base",
      attributes: [],
      children: [],
      position: { line: 7, column: 5 },
    });
  });

  it("normalises line breaks, and whitespace in attribute values, counting \\r\\n as one line", () => {
    const root = parseXml('<a\r\n  b="x\r\ny\tz&#10;">1\r\n2\r3</a>');
    assert.deepEqual(root.attributes[0], {
      name: "b",
      value: "x y z\n",
      position: { line: 2, column: 3 },
      valuePosition: { line: 2, column: 6 },
      expression: false,
    });
    assert.deepEqual(root.children, [
      { kind: "text", value: "1\n2\n3", position: { line: 3, column: 11 }, expression: false },
    ]);
    assert.equal(parseError("<a>\r\n\r\n  </b>"), "Closing tag 'b' does not match 'a' @ 3:3");
  });

  it("accepts a byte order mark and an empty self-closing root", () => {
    assert.equal(parseXml("\uFEFF<policies/>").name, "policies");
  });
});

describe("XML reader: policy expressions", () => {
  it("reads an attribute expression holding quotes, &&, < and > as written", () => {
    const source = `<set-header name="x" value="@(context.Request.Headers.GetValueOrDefault("Authorization", "<none>") != "" && context.Variables.Count < 3)" />`;
    const attribute = parseXml(source).attributes[1];
    assert.deepEqual(attribute, {
      name: "value",
      value: `@(context.Request.Headers.GetValueOrDefault("Authorization", "<none>") != "" && context.Variables.Count < 3)`,
      position: { line: 1, column: 22 },
      valuePosition: { line: 1, column: 29 },
      expression: true,
    });
  });

  it("decodes entities inside expressions, as APIM does, and keeps a bare & as it is", () => {
    const root = parseXml(`<a v="@(a &amp;&amp; b &lt; c &quot;)&quot; &x)" />`);
    assert.equal(root.attributes[0]?.value, `@(a && b < c ")" &x)`);
  });

  it("finds the end of an expression past brackets inside strings, chars, verbatim and interpolated strings and comments", () => {
    const expressions = [
      `@(")")`,
      `@("\\")\\"")`,
      `@(@"C:\\x"")" + "")`,
      `@(')')`,
      `@('\\'')`,
      `@($"{(ok ? ")" : "(")} and {{braces}}")`,
      `@($"{value:yyyy)MM}")`,
      `@($@"{{ "")"" {x}")`,
      `@(@$"{"}"}")`,
      `@(f(g(1), new[] { 2 }[0]))`,
      `@{ var a = "}"; /* } ) */ return a; // }\n}`,
    ];
    for (const expression of expressions) {
      const root = parseXml(`<a v='${expression.replace(/'/g, "&apos;")}'/>`);
      assert.equal(root.attributes[0]?.value, expression, expression);
      const text = parseXml(`<a>${expression}</a>`).children[0];
      assert.deepEqual(text, { kind: "text", value: expression, position: { line: 1, column: 4 }, expression: true });
    }
  });

  it("reads a text expression after whitespace and refuses text after it", () => {
    const root = parseXml(`<set-body>\n  @{\n    return "</set-body>" + (1 < 2);\n  }\n  <!-- c -->\n</set-body>`);
    assert.deepEqual(root.children, [
      {
        kind: "text",
        value: `@{\n    return "</set-body>" + (1 < 2);\n  }`,
        position: { line: 2, column: 3 },
        expression: true,
      },
    ]);
    assert.equal(parseError(`<a>\n @(x) y</a>`), "Unexpected text after the policy expression @ 2:7");
    assert.equal(parseError(`<a>@(x)<![CDATA[y]]></a>`), "Unexpected text after the policy expression @ 1:8");
  });

  it("marks CDATA that holds an expression, and keeps @ elsewhere in text literal", () => {
    assert.deepEqual(parseXml("<a><![CDATA[ @(x) ]]></a>").children[0], {
      kind: "text",
      value: " @(x) ",
      position: { line: 1, column: 4 },
      expression: true,
    });
    assert.deepEqual(parseXml(`<a>mail @(x)</a>`).children[0], {
      kind: "text",
      value: "mail @(x)",
      position: { line: 1, column: 4 },
      expression: false,
    });
  });

  it("refuses an expression that does not end, or that is not followed by the attribute's closing quote", () => {
    assert.equal(
      parseError(`<policies>\n  <a v="@(context.Request.Method == ")"/>\n</policies>`),
      "Unexpected end of document: policy expression is not closed @ 2:9",
    );
    assert.equal(
      parseError(`<a v="@(x) + 1" />`),
      "Expected the closing quote of attribute 'v' after the policy expression @ 1:11",
    );
  });
});

describe("XML reader: refusals with positions", () => {
  const cases: [string, string][] = [
    ["<!DOCTYPE policies [<!ENTITY x 'y'>]><policies/>", "DOCTYPE and ENTITY declarations are not allowed @ 1:1"],
    ["<policies>\n  <!ENTITY x 'y'>\n</policies>", "DOCTYPE and ENTITY declarations are not allowed @ 2:3"],
    ["<policies>\n  <inbound>\n", "Unexpected end of document: element 'inbound' is not closed @ 2:3"],
    ["<policies>\n  <inbound>\n  </outbound>\n</policies>", "Closing tag 'outbound' does not match 'inbound' @ 3:3"],
    ['<a b="1" b="2"/>', "Attribute 'b' is given more than once @ 1:10"],
    ['<a b="x<y"/>', "Character '<' is not allowed in the value of attribute 'b' @ 1:8"],
    ['<a b="open/>', "Unexpected end of document: value of attribute 'b' is not closed @ 1:4"],
    ["<a b=1/>", "Expected a quoted value for attribute 'b' @ 1:6"],
    ['<a b="1"c="2"/>', "Expected whitespace, '>' or '/>' in start tag 'a' @ 1:9"],
    [
      "<a>\n  &nbsp;</a>",
      "Entity '&nbsp;' is not defined: only &lt; &gt; &amp; &quot; &apos; and character references are @ 2:3",
    ],
    ["<a>&#0;</a>", "Character reference '&#0;' is not a valid XML character @ 1:4"],
    ["<a>fish & chips</a>", "'&' must start an entity or character reference (write '&amp;') @ 1:9"],
    ["<a><!-- open </a>", "Unexpected end of document: comment is not closed @ 1:4"],
    ["<a><![CDATA[ open </a>", "Unexpected end of document: CDATA section is not closed @ 1:4"],
    ["<a><?php x ?></a>", "Processing instructions are not allowed @ 1:4"],
    ['<a/>\n<?xml version="1.0"?>', "The XML declaration must be at the start of the document @ 2:1"],
    ["<a/><b/>", "Unexpected content after the root element 'a' @ 1:5"],
    ["hello <a/>", "Text is not allowed outside the root element @ 1:1"],
    ["  <!-- only a comment -->  ", "The document has no root element @ 1:28"],
    ["<a>< b/></a>", "Expected an element name after '<' @ 1:5"],
    ["<a><b/ ></a>", "Expected '>' after '/' @ 1:7"],
    ["<a></a >x</ a>", "Text is not allowed outside the root element @ 1:9"],
    ["<a><b", "Unexpected end of document: start tag 'b' is not closed @ 1:4"],
    ["<a>".repeat(100) + "\n  <a>", "Elements are nested more than 100 levels deep @ 2:3"],
  ];
  for (const [source, expected] of cases) {
    it(`${JSON.stringify(source)} → ${expected}`, () => assert.equal(parseError(source), expected));
  }
});

describe("XML reader: random element trees survive serialising and parsing", () => {
  /** The tree without positions; expressions are [raw source, value read]. */
  type Model = { name: string; attributes: Attr[]; children: (Model | Text)[] };
  type Attr = { name: string; value: string; quote: '"' | "'"; expression?: [string, string] };
  type Text = { text: string; expression?: [string, string] };

  const name = fc.stringMatching(/^[a-zA-Z_][\w.-]{0,7}(:[a-z]{1,3})?$/);
  const chars = fc.oneof(
    fc.constantFrom("<", ">", "&", '"', "'", "\n", "\t", "\r", " ", "]]>", "{{x}}", "@", "é", "😀", "中"),
    fc.string({ minLength: 1, maxLength: 4 }),
  );
  const literal = fc
    .array(chars, { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join(""))
    .filter((text) => !/^\s*@[({]/.test(text));
  /** C# pieces as [as written in the document, as read back]. */
  const token = fc.constantFrom<[string, string]>(
    [`"a)b"`, `"a)b"`],
    [`"q\\")("`, `"q\\")("`],
    [`'('`, `'('`],
    [`@"x"")"`, `@"x"")"`],
    [`$"{(c ? ")" : "}")}:{n:N2})"`, `$"{(c ? ")" : "}")}:{n:N2})"`],
    [`a && b`, `a && b`],
    [`x < y > z`, `x < y > z`],
    [`&amp;&amp; &lt;`, `&& <`],
    [`(f(1), g[2])`, `(f(1), g[2])`],
    [`/* ) } */`, `/* ) } */`],
    ["// ) }\n", "// ) }\n"],
  );
  const expression = fc
    .tuple(fc.constantFrom("(", "{"), fc.array(token, { maxLength: 5 }))
    .map(([open, tokens]): [string, string] => {
      const close = open === "(" ? ")" : "}";
      return [
        `@${open}${tokens.map((t) => t[0]).join(" ")}${close}`,
        `@${open}${tokens.map((t) => t[1]).join(" ")}${close}`,
      ];
    });
  const attribute = fc.record({
    name,
    value: literal,
    quote: fc.constantFrom<'"' | "'">('"', "'"),
    expression: fc.option(expression, { nil: undefined }),
  });
  const text = fc.record({ text: literal, expression: fc.option(expression, { nil: undefined }) });

  const tree = fc.letrec<{ element: Model }>((tie) => ({
    element: fc.record({
      name,
      attributes: fc.uniqueArray(attribute, { selector: (a) => a.name, maxLength: 4 }),
      children: fc.array(fc.oneof({ depthSize: "small", withCrossShrink: true }, text, tie("element")), {
        maxLength: 5,
      }),
    }),
  })).element;

  /** Adjacent text would merge (and text after an expression is an error): keep the first of a run. */
  function normalise(model: Model): Model {
    const children: (Model | Text)[] = [];
    for (const child of model.children) {
      const previous = children[children.length - 1];
      if ("text" in child) {
        if (previous === undefined || !("text" in previous)) children.push(child);
      } else children.push(normalise(child));
    }
    return { ...model, children };
  }

  const escapeText = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
  const escapeAttribute = (text: string) =>
    escapeText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");

  function serialise(model: Model): string {
    const attributes = model.attributes
      .map((a) => ` ${a.name}=${a.quote}${a.expression ? a.expression[0] : escapeAttribute(a.value)}${a.quote}`)
      .join("");
    if (model.children.length === 0) return `<${model.name}${attributes}/>`;
    const children = model.children
      .map((c) => ("text" in c ? (c.expression ? c.expression[0] : escapeText(c.text)) : serialise(c)))
      .join("");
    return `<${model.name}${attributes}>${children}</${model.name}>`;
  }

  const expected = (model: Model): unknown => ({
    name: model.name,
    attributes: model.attributes.map((a) =>
      a.expression ? [a.name, a.expression[1], true] : [a.name, a.value, false],
    ),
    children: model.children.map((c) =>
      "text" in c ? (c.expression ? [c.expression[1], true] : [c.text, false]) : expected(c),
    ),
  });
  const actual = (node: XmlElement): unknown => ({
    name: node.name,
    attributes: node.attributes.map((a) => [a.name, a.value, a.expression]),
    children: node.children.map((c) => (c.kind === "text" ? [c.value, c.expression] : actual(c))),
  });

  /** Every element's position is its `<` in the source. */
  function checkPositions(source: string, node: XmlElement, lineStarts: number[]): void {
    const offset = (lineStarts[node.position.line - 1] as number) + node.position.column - 1;
    assert.ok(source.startsWith(`<${node.name}`, offset), `${node.name} at ${JSON.stringify(node.position)}`);
    for (const child of node.children) if (child.kind === "element") checkPositions(source, child, lineStarts);
  }

  it("parses back what was serialised", () => {
    fc.assert(
      fc.property(tree, (generated) => {
        const model = normalise(generated);
        const source = serialise(model);
        const root = parseXml(source);
        assert.deepEqual(actual(root), expected(model));
        const lineStarts = [0];
        for (let i = 0; i < source.length; i++) {
          if (source[i] === "\n" || (source[i] === "\r" && source[i + 1] !== "\n")) lineStarts.push(i + 1);
        }
        checkPositions(source, root, lineStarts);
      }),
      { numRuns: 400 },
    );
  });
});
