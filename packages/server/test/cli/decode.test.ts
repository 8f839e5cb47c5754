import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SignJWT, generateKeyPair, type CryptoKey, type JWTPayload } from "jose";
import {
  TokenDecodeError,
  decodeToken,
  explainClaims,
  explainHeader,
  renderExplanation,
  type ClaimLine,
} from "../../src/cli/decode/index.js";

const TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "11111111-2222-3333-4444-555555555555";
const SP_OID = "66666666-7777-8888-9999-000000000000";
const IAT = 1_700_000_000; // 2023-11-14T22:13:20Z
const EXP = IAT + 3600;

let privateKey: CryptoKey;

before(async () => {
  ({ privateKey } = await generateKeyPair("RS256"));
});

function sign(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" }).sign(privateKey);
}

function v1AppOnly(): JWTPayload {
  return {
    aud: "api://gatehouse-demo",
    iss: `https://sts.windows.net/${TID}/`,
    idp: `https://sts.windows.net/${TID}/`,
    iat: IAT,
    nbf: IAT,
    exp: EXP,
    aio: "E2ZgYJg",
    appid: CLIENT,
    appidacr: "1",
    idtyp: "app",
    oid: SP_OID,
    sub: SP_OID,
    roles: ["Orders.Read", "Orders.Write"],
    tid: TID,
    uti: "AbCdEf",
    rh: "0.AXEA",
    ver: "1.0",
  };
}

function v2AppOnly(): JWTPayload {
  return {
    aud: CLIENT,
    iss: `https://login.microsoftonline.com/${TID}/v2.0`,
    iat: IAT,
    nbf: IAT,
    exp: EXP,
    azp: CLIENT,
    azpacr: "2",
    idtyp: "app",
    oid: SP_OID,
    sub: SP_OID,
    roles: ["Orders.Read"],
    tid: TID,
    ver: "2.0",
  };
}

function line(lines: ClaimLine[], name: string): ClaimLine {
  const found = lines.find((l) => l.name === name);
  assert.ok(found, `no line for ${name}`);
  return found;
}

const at = (seconds: number): Date => new Date(seconds * 1000);

describe("decodeToken", () => {
  it("round-trips the header, claims and signature of a jose-signed token", async () => {
    const claims = v1AppOnly();
    const token = await sign(claims);
    const decoded = decodeToken(token);
    assert.deepEqual(decoded.header, { alg: "RS256", kid: "k1", typ: "JWT" });
    assert.deepEqual(decoded.claims, claims);
    assert.equal(decoded.signature, token.split(".")[2]);
    assert.match(decoded.signature, /^[A-Za-z0-9_-]{300,}$/);
  });

  it("tolerates surrounding whitespace, a Bearer prefix and line wrapping", async () => {
    const token = await sign(v2AppOnly());
    const wrapped = `${token.slice(0, 40)}\n  ${token.slice(40)}`;
    for (const input of [`  ${token}\n`, `Bearer ${token}`, `\tbearer   ${token}  `, `BEARER ${wrapped}`]) {
      assert.deepEqual(decodeToken(input).claims, v2AppOnly(), JSON.stringify(input));
    }
  });

  const b64 = (text: string): string => Buffer.from(text).toString("base64url");
  const payload = b64('{"sub":"x"}');
  const malformed: [string, string, RegExp][] = [
    ["empty", "", /^not a JWT: the input is empty$/],
    ["whitespace only", "  \n\t ", /^not a JWT: the input is empty$/],
    ["Bearer only", "Bearer ", /^not a JWT: expected three dot-separated base64url parts, got 1$/],
    ["two parts", `${b64('{"alg":"none"}')}.${payload}`, /^not a JWT: expected three .* got 2$/],
    ["four parts", `a.b.c.d`, /got 4$/],
    ["five parts (JWE)", "a.b.c.d.e", /encrypted token \(JWE\)/],
    ["bad base64 in header", `ey$J.${payload}.sig`, /^header is not valid base64url$/],
    ["standard base64 in payload", `${b64("{}")}.e30+/w==.sig`, /^payload is not valid base64url$/],
    ["impossible base64 length", `${b64("{}")}.e30AA.sig`, /^payload is not valid base64url$/],
    ["bad base64 in signature", `${b64("{}")}.${payload}.si*g`, /^signature is not valid base64url$/],
    ["empty header", `.${payload}.sig`, /^header is empty$/],
    ["non-JSON header", `${b64("not json")}.${payload}.sig`, /^header is not JSON$/],
    ["non-JSON payload", `${b64('{"alg":"RS256"}')}.${b64("{sub: 1}")}.sig`, /^payload is not JSON$/],
    ["header JSON array", `${b64("[1,2]")}.${payload}.sig`, /^header is not a JSON object$/],
    ["header JSON string", `${b64('"JWT"')}.${payload}.sig`, /^header is not a JSON object$/],
    ["payload JSON null", `${b64("{}")}.${b64("null")}.sig`, /^payload is not a JSON object$/],
    ["payload JSON number", `${b64("{}")}.${b64("42")}.sig`, /^payload is not a JSON object$/],
    ["payload not UTF-8", `${b64("{}")}.${Buffer.from([0xff, 0xfe, 0x7b]).toString("base64url")}.sig`, /UTF-8/],
  ];
  for (const [label, input, expected] of malformed) {
    it(`rejects ${label} with a one-line TokenDecodeError`, () => {
      assert.throws(
        () => decodeToken(input),
        (err: unknown) => {
          assert.ok(err instanceof TokenDecodeError);
          assert.equal(err.name, "TokenDecodeError");
          assert.match(err.message, expected);
          assert.ok(!err.message.includes("\n"), "message must be one line");
          assert.ok(!/\bat .+:\d+/.test(err.message), "message must not contain a stack");
          return true;
        },
      );
    });
  }

  it("accepts an empty signature (alg none) and flags it in the header explanation", () => {
    const b64 = (text: string): string => Buffer.from(text).toString("base64url");
    const decoded = decodeToken(`${b64('{"alg":"none"}')}.${b64('{"sub":"x"}')}.`);
    assert.equal(decoded.signature, "");
    assert.match(line(explainHeader(decoded.header), "alg").meaning, /unsigned/);
  });
});

describe("explainHeader", () => {
  it("explains the header fields Entra uses", async () => {
    const lines = explainHeader({ ...decodeToken(await sign({})).header, x5t: "abc", "x5t#S256": "def", nonce: "n" });
    assert.deepEqual(
      lines.map((l) => [l.name, l.value]),
      [
        ["alg", "RS256"],
        ["kid", "k1"],
        ["typ", "JWT"],
        ["x5t", "abc"],
        ["x5t#S256", "def"],
        ["nonce", "n"],
      ],
    );
    assert.match(line(lines, "alg").meaning, /algorithm/i);
    assert.match(line(lines, "kid").meaning, /JWKS/);
    assert.match(line(lines, "x5t").meaning, /SHA-1 thumbprint/);
    assert.match(line(lines, "x5t#S256").meaning, /SHA-256 thumbprint/);
    assert.match(line(lines, "nonce").meaning, /Graph/);
    assert.equal(explainHeader({ zip: "DEF" })[0]?.meaning, "(no description)");
  });
});

describe("explainClaims", () => {
  it("explains a v1 app-only token", async () => {
    const lines = explainClaims(decodeToken(await sign(v1AppOnly())).claims, at(IAT + 60));
    assert.deepEqual(
      lines.map((l) => l.name),
      Object.keys(v1AppOnly()),
      "claims keep token order",
    );
    for (const l of lines) assert.notEqual(l.meaning, "(no description)", l.name);
    assert.match(line(lines, "appidacr").meaning, /this token: client secret/);
    assert.match(line(lines, "idtyp").meaning, /this token: app-only/);
    assert.match(line(lines, "ver").meaning, /this token: v1\.0 \(iss https:\/\/sts\.windows\.net\/\{tid\}\//);
    assert.doesNotMatch(line(lines, "ver").meaning, /WARNING/);
    assert.match(line(lines, "iss").meaning, /v1\.0 issuer format/);
    assert.doesNotMatch(line(lines, "iss").meaning, /WARNING/);
    assert.match(line(lines, "sub").meaning, /equals oid/);
    assert.equal(line(lines, "roles").value, "Orders.Read, Orders.Write");
    assert.equal(line(lines, "appid").value, CLIENT);
  });

  it("explains a v2 app-only token", async () => {
    const lines = explainClaims(decodeToken(await sign(v2AppOnly())).claims, at(IAT + 60));
    assert.match(line(lines, "azpacr").meaning, /this token: client certificate/);
    assert.match(line(lines, "azp").meaning, /client\) ID/);
    assert.match(line(lines, "idtyp").meaning, /app-only/);
    assert.match(line(lines, "ver").meaning, /this token: v2\.0 .*login\.microsoftonline\.com\/\{tid\}\/v2\.0/);
    assert.match(line(lines, "iss").meaning, /v2\.0 issuer format/);
  });

  it("decodes each client authentication value", () => {
    const meaning = (v: unknown): string => line(explainClaims({ appidacr: v }), "appidacr").meaning;
    assert.match(meaning("0"), /this token: public client/);
    assert.match(meaning("1"), /this token: client secret/);
    assert.match(meaning("2"), /this token: client certificate/);
    assert.match(meaning("7"), /this token: unknown value/);
  });

  it("warns when ver and iss disagree or iss names another tenant", () => {
    const lines = explainClaims({ iss: "https://sts.windows.net/other-tenant/", tid: TID, ver: "2.0" });
    assert.match(line(lines, "iss").meaning, /WARNING: tenant in iss differs from tid/);
    assert.match(line(lines, "ver").meaning, /WARNING: iss has the v1\.0 format/);
  });

  it("shows times as NumericDate, ISO date and relative time", () => {
    const lines = explainClaims({ iat: IAT, nbf: IAT, exp: EXP, auth_time: IAT - 2 * 86_400 }, at(IAT + 180));
    assert.equal(line(lines, "iat").value, "1700000000 (2023-11-14T22:13:20Z, 3 minutes ago)");
    assert.equal(line(lines, "nbf").value, "1700000000 (2023-11-14T22:13:20Z, 3 minutes ago)");
    assert.equal(line(lines, "exp").value, "1700003600 (2023-11-14T23:13:20Z, in 57 minutes)");
    assert.equal(line(lines, "auth_time").value, "1699827200 (2023-11-12T22:13:20Z, 2 days ago)");
    assert.equal(line(explainClaims({ iat: IAT }, at(IAT)), "iat").value, "1700000000 (2023-11-14T22:13:20Z, now)");
    assert.match(line(explainClaims({ exp: EXP }, at(IAT + 1)), "exp").value, /in 59 minutes\)$/);
    assert.match(line(explainClaims({ iat: IAT }, at(IAT + 1)), "iat").value, /1 second ago\)$/);
    assert.match(line(explainClaims({ iat: IAT }, at(IAT + 7200)), "iat").value, /2 hours ago\)$/);
    assert.match(line(explainClaims({ iat: IAT + 0.5 }, at(IAT)), "iat").value, /T22:13:20\.500Z, now\)$/);
  });

  it("marks an expired token and a not-yet-valid token", () => {
    const expired = explainClaims({ nbf: IAT, exp: EXP }, at(EXP + 120));
    assert.equal(line(expired, "exp").value, "1700003600 (2023-11-14T23:13:20Z, 2 minutes ago) EXPIRED");
    assert.doesNotMatch(line(expired, "nbf").value, /not yet valid/);
    // RFC 7519: expired from exp inclusive.
    assert.match(line(explainClaims({ exp: EXP }, at(EXP)), "exp").value, /EXPIRED$/);

    const early = explainClaims({ nbf: IAT, exp: EXP }, at(IAT - 300));
    assert.equal(line(early, "nbf").value, "1700000000 (2023-11-14T22:13:20Z, in 5 minutes) not yet valid");
    assert.doesNotMatch(line(early, "exp").value, /EXPIRED/);
  });

  it("flags a time claim that is not a NumericDate", () => {
    const l = line(explainClaims({ exp: "tomorrow" }), "exp");
    assert.equal(l.value, "tomorrow");
    assert.match(l.meaning, /not a NumericDate/);
  });

  it("formats arrays, objects and unknown claims", () => {
    const lines = explainClaims({
      groups: ["g1", "g2", 3],
      amr: ["pwd", "mfa"],
      cnf: { jkt: "abc", n: [1, 2] },
      empty: [],
      blank: "",
      flag: true,
      nothing: null,
      custom_claim: "x",
      constructor: "not the Object prototype",
      xms_cc: ["cp1"],
      xms_brand_new: "1",
    });
    assert.equal(line(lines, "groups").value, "g1, g2, 3");
    assert.match(line(lines, "amr").meaning, /pwd = password, mfa = multi-factor authentication/);
    assert.equal(line(lines, "cnf").value, '{"jkt":"abc","n":[1,2]}');
    assert.equal(line(lines, "empty").value, "[]");
    assert.equal(line(lines, "blank").value, '""');
    assert.equal(line(lines, "flag").value, "true");
    assert.equal(line(lines, "nothing").value, "null");
    assert.equal(line(lines, "custom_claim").meaning, "(no description)");
    assert.equal(line(lines, "constructor").meaning, "(no description)");
    assert.match(line(lines, "xms_cc").meaning, /capabilities/);
    assert.match(line(lines, "xms_brand_new").meaning, /Microsoft extension claim/);
  });

  it("covers the Entra access-token claims reference", () => {
    const names = ["aud", "iss", "idp", "iat", "nbf", "exp", "aio", "acr", "amr", "appid", "appidacr", "azp"];
    names.push("azpacr", "idtyp", "oid", "sub", "roles", "scp", "tid", "uti", "rh", "ver", "name");
    names.push("preferred_username", "upn", "groups", "wids", "xms_anything", "jti", "auth_time");
    const lines = explainClaims(Object.fromEntries(names.map((n) => [n, "x"])));
    for (const l of lines) assert.notEqual(l.meaning, "(no description)", l.name);
  });

  it("escapes control and bidi characters so a token cannot drive the terminal", () => {
    const lines = explainClaims({ "evil\u001b[2J": "a\u001b[31mred\nline\u202egnp.exe", arr: ["x\ry"] });
    assert.equal(lines[0]?.name, "evil\\u001b[2J");
    assert.equal(lines[0]?.value, "a\\u001b[31mred\\u000aline\\u202egnp.exe");
    assert.equal(line(lines, "arr").value, "x\\u000dy");
  });
});

describe("renderExplanation", () => {
  it("prints aligned header and claims sections, the lifetime and the verification note", async () => {
    const text = renderExplanation(decodeToken(await sign(v2AppOnly())), { now: at(IAT + 60) });
    const lines = text.split("\n");
    assert.equal(lines[0], "Header");
    assert.ok(lines.includes("Claims"));
    assert.equal(lines.at(-1), "Lifetime: 1 hour (exp - iat); signature not verified");
    assert.ok(!text.includes("\u001b"), "no color by default");

    // Every row has its meaning starting in the same column across both sections; the v2 iss is too long for
    // the value column, so its meaning sits on a continuation line.
    const rows = lines.filter((l) => /^ {2}\S/.test(l));
    assert.equal(rows.length, 3 + Object.keys(v2AppOnly()).length);
    const claimRow = rows.find((l) => l.startsWith("  azpacr"));
    assert.ok(claimRow);
    const column = claimRow.indexOf("How the client");
    assert.ok(column > 0);
    const meaningLines = lines.filter((l) => l.startsWith("  ") && !l.startsWith("  iss"));
    assert.equal(meaningLines.length, rows.length, "iss row swapped for its continuation line");
    for (const row of meaningLines) assert.match(row.slice(column - 2, column + 1), /^ {2}\S$/, row);
    assert.match(rows.find((l) => l.startsWith("  alg")) ?? "", new RegExp(`^.{${column}}Signature algorithm`));
    assert.match(rows.find((l) => l.startsWith("  exp")) ?? "", /in 59 minutes\)\s+Expiration/);
  });

  it("puts the meaning of an over-long value on its own line, in the meaning column", () => {
    const scp = Array.from({ length: 20 }, (_, i) => `Scope.Number${i}`).join(" ");
    const text = renderExplanation({ header: { alg: "RS256" }, claims: { scp, tid: TID }, signature: "" });
    const lines = text.split("\n");
    const i = lines.findIndex((l) => l.startsWith("  scp"));
    assert.ok(lines[i]?.endsWith(scp));
    const tidRow = lines.find((l) => l.startsWith("  tid")) ?? "";
    const column = tidRow.indexOf("Tenant ID");
    assert.equal(lines[i + 1]?.indexOf("Delegated scopes"), column);
    assert.match(lines[i + 1] ?? "", /^ +Delegated scopes/);
  });

  it("uses ANSI bold for names only when color is requested", async () => {
    const token = decodeToken(await sign(v1AppOnly()));
    const text = renderExplanation(token, { now: at(IAT), color: true });
    assert.ok(text.includes("\u001b[1malg\u001b[22m"));
    assert.ok(text.includes("\u001b[1mappidacr\u001b[22m"));
    // Padding is computed on the visible name, so stripping ANSI gives the uncoloured output.
    // eslint-disable-next-line no-control-regex
    assert.equal(text.replace(/\u001b\[(?:1|22)m/g, ""), renderExplanation(token, { now: at(IAT) }));
  });

  it("reports an unknown or invalid lifetime", () => {
    const render = (claims: Record<string, unknown>): string =>
      renderExplanation({ header: {}, claims, signature: "" }).split("\n").at(-1) ?? "";
    assert.equal(render({ exp: EXP }), "Lifetime: unknown (needs numeric iat and exp); signature not verified");
    assert.equal(
      render({ iat: IAT, exp: IAT + 5400 }),
      "Lifetime: 1 hour 30 minutes (exp - iat); signature not verified",
    );
    assert.match(render({ iat: EXP, exp: IAT }), /^Lifetime: invalid, exp is 1 hour before iat;/);
    assert.match(renderExplanation({ header: {}, claims: {}, signature: "" }), /Header\n {2}\(empty\)/);
  });
});
