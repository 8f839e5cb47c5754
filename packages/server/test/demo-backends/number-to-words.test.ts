import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { startDemoBackends, type DemoBackends } from "../../src/demo/backends/index.js";
import { parseXml, type XmlElement } from "../../src/gateway/transform/xml-reader.js";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const NS = "http://www.dataaccess.com/webservicesserver/";
const ACTION = `"${NS}NumberToWords"`;

const envelope = (body: string, header = "") =>
  `<soap:Envelope xmlns:soap="${SOAP}">${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;
const numberToWords = (ubiNum: string) =>
  envelope(`<NumberToWords xmlns="${NS}"><ubiNum>${ubiNum}</ubiNum></NumberToWords>`);

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  xml: XmlElement;
}

/** The single element in the reply's soap:Body, after checking the reply is a SOAP 1.1 envelope. */
function bodyElement(reply: Reply): XmlElement {
  assert.equal(reply.headers.get("content-type"), "text/xml; charset=utf-8");
  assert.equal(reply.xml.namespace, SOAP);
  assert.equal(reply.xml.localName, "Envelope");
  const body = reply.xml.children.find((el) => el.localName === "Body" && el.namespace === SOAP);
  assert.equal(body?.children.length, 1);
  return body.children[0] as XmlElement;
}

function result(reply: Reply, operation = "NumberToWords"): string {
  assert.equal(reply.status, 200, reply.text);
  const response = bodyElement(reply);
  assert.equal(response.namespace, NS);
  assert.equal(response.localName, `${operation}Response`);
  const value = response.children[0];
  assert.equal(value?.namespace, NS);
  assert.equal(value.localName, `${operation}Result`);
  return value.text;
}

function fault(reply: Reply): { code: string; message: string } {
  assert.equal(reply.status, 500, reply.text);
  const f = bodyElement(reply);
  assert.equal(f.namespace, SOAP);
  assert.equal(f.localName, "Fault");
  assert.deepEqual(
    f.children.map((c) => [c.namespace, c.localName]),
    [
      ["", "faultcode"],
      ["", "faultstring"],
    ],
  );
  return { code: f.children[0]?.text ?? "", message: f.children[1]?.text ?? "" };
}

describe("NumberConversion SOAP backend", () => {
  let backends: DemoBackends;
  before(async () => {
    backends = await startDemoBackends({ host: "127.0.0.1" });
  });
  after(() => backends.close());

  async function call(
    body: string | Uint8Array,
    { action = ACTION, contentType = "text/xml; charset=utf-8", method = "POST", path = "" } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { "content-type": contentType };
    if (action) headers.soapaction = action;
    const res = await fetch(backends.numbersUrl + path, {
      method,
      headers,
      ...(method === "GET" || method === "HEAD" ? {} : { body }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, xml: parseXml(text) };
  }

  const words: [string, string][] = [
    ["0", "zero "],
    ["7", "seven "],
    ["13", "thirteen "],
    ["21", "twenty one "],
    ["100", "one hundred "],
    ["500", "five hundred "],
    ["1001", "one thousand one "],
    ["1000000", "one million "],
    [
      "18446744073709551615",
      "eighteen quintillion four hundred and forty six quadrillion seven hundred and forty four trillion " +
        "seventy three billion seven hundred and nine million five hundred and fifty one thousand six hundred and fifteen ",
    ],
  ];
  for (const [n, expected] of words) {
    it(`NumberToWords ${n} → "${expected}"`, async () => {
      assert.equal(result(await call(numberToWords(n))), expected);
    });
  }

  it("answers the documented request byte for byte in the service's response shape", async () => {
    const reply = await call(numberToWords("500"));
    assert.equal(
      reply.text,
      `<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="${SOAP}">\n  <soap:Body>\n` +
        `    <m:NumberToWordsResponse xmlns:m="${NS}"><m:NumberToWordsResult>five hundred </m:NumberToWordsResult>` +
        `</m:NumberToWordsResponse>\n  </soap:Body>\n</soap:Envelope>\n`,
    );
  });

  it("accepts the SOAPAction unquoted or absent, prefixed parameters, whitespace, a header without mustUnderstand", async () => {
    assert.equal(result(await call(numberToWords("13"), { action: `${NS}NumberToWords` })), "thirteen ");
    assert.equal(result(await call(numberToWords(" +0021\n"), { action: "" })), "twenty one ");
    const prefixed = envelope(
      `<n:NumberToWords xmlns:n="${NS}"><n:ubiNum>7</n:ubiNum></n:NumberToWords>`,
      `<soap:Header><trace xmlns="urn:x">1</trace></soap:Header>`,
    );
    assert.equal(result(await call(prefixed, { contentType: "text/xml" })), "seven ");
  });

  it("answers NumberToDollars", async () => {
    const body = envelope(`<NumberToDollars xmlns="${NS}"><dNum>12.345</dNum></NumberToDollars>`);
    const reply = await call(body, { action: `"${NS}NumberToDollars"` });
    assert.equal(result(reply, "NumberToDollars"), "twelve dollars and thirty five cents");
  });

  it("serves its WSDL on GET ?wsdl, with this endpoint as the address", async () => {
    const res = await fetch(`${backends.numbersUrl}?WSDL`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/xml; charset=utf-8");
    const wsdl = parseXml(await res.text());
    assert.equal(wsdl.namespace, "http://schemas.xmlsoap.org/wsdl/");
    assert.equal(wsdl.localName, "definitions");
    const address = wsdl.children
      .find((el) => el.localName === "service")
      ?.children.find((el) => el.localName === "port")
      ?.children.find((el) => el.localName === "address");
    assert.equal(address?.attributes.find((a) => a.localName === "location")?.value, backends.numbersUrl);
    const binding = wsdl.children.find((el) => el.localName === "binding");
    const actions = binding?.children
      .filter((el) => el.localName === "operation")
      .map((op) => op.children.find((el) => el.localName === "operation")?.attributes[0]?.value);
    assert.deepEqual(actions, [`${NS}NumberToWords`, `${NS}NumberToDollars`]);
  });

  describe("faults: HTTP 500 with a SOAP 1.1 Fault", () => {
    const clientFaults: [string, () => Promise<Reply>, RegExp][] = [
      ["not a number", () => call(numberToWords("five")), /'five' is not a valid ubiNum.*only digits/],
      ["a decimal", () => call(numberToWords("1.5")), /only digits/],
      ["negative", () => call(numberToWords("-5")), /'-5' is not a valid ubiNum.*negative numbers are not allowed/],
      ["too large", () => call(numberToWords("18446744073709551616")), /too large/],
      ["empty ubiNum", () => call(numberToWords("")), /the value is empty/],
      [
        "missing ubiNum",
        () => call(envelope(`<NumberToWords xmlns="${NS}"><other>5</other></NumberToWords>`)),
        /NumberToWords: the parameter ubiNum is missing/,
      ],
      [
        "repeated ubiNum",
        () => call(envelope(`<NumberToWords xmlns="${NS}"><ubiNum>1</ubiNum><ubiNum>2</ubiNum></NumberToWords>`)),
        /repeated/,
      ],
      [
        "ubiNum in a foreign namespace",
        () => call(envelope(`<NumberToWords xmlns="${NS}"><x:ubiNum xmlns:x="urn:x">5</x:ubiNum></NumberToWords>`)),
        /missing/,
      ],
      ["malformed XML", () => call(`<soap:Envelope xmlns:soap="${SOAP}"><soap:Body>`), /not well-formed XML: .*line 1/],
      [
        "an entity declaration",
        () => call(`<!DOCTYPE d [<!ENTITY big "xxxxxxxx">]>${numberToWords("&big;")}`),
        /document type declarations are not allowed/,
      ],
      ["an undefined entity", () => call(numberToWords("&big;")), /undefined entity &big;/],
      ["invalid UTF-8", () => call(new Uint8Array([0x3c, 0xff, 0xfe, 0x3e])), /not valid UTF-8/],
      ["an empty body", () => call(""), /no root element/],
      ["not an envelope", () => call(`<NumberToWords xmlns="${NS}"/>`), /'NumberToWords' is not a SOAP Envelope/],
      ["no Body", () => call(`<soap:Envelope xmlns:soap="${SOAP}"/>`), /no soap:Body/],
      ["an empty Body", () => call(envelope("")), /soap:Body is empty/],
      [
        "two operations",
        () => call(envelope(`<NumberToWords xmlns="${NS}"><ubiNum>1</ubiNum></NumberToWords><x xmlns="urn:x"/>`)),
        /more than one element/,
      ],
      [
        "an unknown operation",
        () => call(envelope(`<NumberToRoman xmlns="${NS}"><ubiNum>5</ubiNum></NumberToRoman>`), { action: "" }),
        /'NumberToRoman' in namespace 'http:\/\/www\.dataaccess\.com\/webservicesserver\/' is not an operation/,
      ],
      [
        "an element named like an object property",
        () => call(envelope(`<toString xmlns="${NS}"><ubiNum>5</ubiNum></toString>`), { action: "" }),
        /'toString' in namespace .* is not an operation/,
      ],
      [
        "the operation in another namespace",
        () => call(envelope(`<NumberToWords xmlns="urn:other"><ubiNum>5</ubiNum></NumberToWords>`)),
        /'urn:other' is not an operation/,
      ],
      [
        "an unknown SOAPAction",
        () => call(numberToWords("5"), { action: `"${NS}NumberToRoman"` }),
        /SOAPAction '.*NumberToRoman' is not an operation/,
      ],
      [
        "a SOAPAction that does not match the body",
        () => call(numberToWords("5"), { action: `"${NS}NumberToDollars"` }),
        /does not match the request element NumberToWords/,
      ],
      ["the wrong content type", () => call(numberToWords("5"), { contentType: "application/json" }), /not text\/xml/],
      [
        "another charset",
        () => call(numberToWords("5"), { contentType: "text/xml; charset=iso-8859-1" }),
        /charset 'iso-8859-1'/,
      ],
      ["a PUT", () => call(numberToWords("5"), { method: "PUT" }), /HTTP method PUT is not supported/],
      ["a GET without ?wsdl", () => call("", { method: "GET" }), /HTTP method GET is not supported/],
      [
        "a negative dollar amount",
        () =>
          call(envelope(`<NumberToDollars xmlns="${NS}"><dNum>-1</dNum></NumberToDollars>`), {
            action: `"${NS}NumberToDollars"`,
          }),
        /negative amounts/,
      ],
    ];
    for (const [what, send, message] of clientFaults) {
      it(`soap:Client for ${what}`, async () => {
        const f = fault(await send());
        assert.equal(f.code, "soap:Client");
        assert.match(f.message, message);
      });
    }

    it("a PUT is told which methods exist", async () => {
      const reply = await call(numberToWords("5"), { method: "PUT" });
      assert.equal(reply.headers.get("allow"), "GET, HEAD, POST");
    });

    it("soap:VersionMismatch for a SOAP 1.2 envelope or content type", async () => {
      const soap12 = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`;
      let f = fault(await call(soap12));
      assert.equal(f.code, "soap:VersionMismatch");
      assert.match(f.message, /SOAP 1\.2 envelopes are not supported/);
      f = fault(await call(numberToWords("5"), { contentType: "application/soap+xml; charset=utf-8" }));
      assert.equal(f.code, "soap:VersionMismatch");
    });

    it("soap:MustUnderstand for a header block the service must understand", async () => {
      const header = `<soap:Header><sec xmlns="urn:sec" soap:mustUnderstand="1"/></soap:Header>`;
      const f = fault(await call(envelope(`<NumberToWords xmlns="${NS}"><ubiNum>5</ubiNum></NumberToWords>`, header)));
      assert.equal(f.code, "soap:MustUnderstand");
      assert.match(f.message, /'sec' is not understood/);
    });

    it("a fault message quotes client input escaped and cut short", async () => {
      const f = fault(await call(numberToWords(`&lt;b&gt;${"9".repeat(100)}x`)));
      assert.match(f.message, /^'<b>9{57}…' is not a valid ubiNum/);
    });

    it("a body over 64 KB is refused unread, by its Content-Length or while streaming, and the connection closed", async () => {
      const big = numberToWords(`${" ".repeat(64 * 1024)}5`);
      const declared = await call(big);
      assert.match(fault(declared).message, /exceeds 65536 bytes/);
      assert.equal(declared.headers.get("connection"), "close");

      // Chunked: no Content-Length, so the limit is found while reading.
      const streamed = await new Promise<Reply>((resolve, reject) => {
        const req = request(
          backends.numbersUrl,
          { method: "POST", headers: { "content-type": "text/xml", "transfer-encoding": "chunked" } },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (text += d));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: new Headers(res.headers as Record<string, string>),
                text,
                xml: parseXml(text),
              }),
            );
          },
        );
        req.on("error", reject);
        for (let i = 0; i < 80; i++) req.write(Buffer.alloc(1024, 0x20));
        req.end();
      });
      assert.match(fault(streamed).message, /exceeds 65536 bytes/);
      assert.equal(streamed.headers.get("connection"), "close");
    });

    it("still answers on a kept-alive connection after a fault", async () => {
      fault(await call(numberToWords("x")));
      assert.equal(result(await call(numberToWords("21"))), "twenty one ");
    });
  });
});
