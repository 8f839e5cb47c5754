import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AuthorizationHeaderError,
  parseDeveloperAuthorization,
  sasTokenHeaderValue,
} from "../../src/developer/auth-headers.js";

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`;
const TOKEN = `dev&202603011100&${"A".repeat(86)}==`;

describe("developer API credential headers", () => {
  it("reads Basic email:password as the portal sends it, the password may hold colons and any Unicode", () => {
    assert.deepEqual(parseDeveloperAuthorization(basic("dev@contoso.example:pa:ss wörd 😀")), {
      scheme: "Basic",
      email: "dev@contoso.example",
      password: "pa:ss wörd 😀",
    });
    assert.deepEqual(parseDeveloperAuthorization(`basic  ${Buffer.from("a@b:").toString("base64")}`), {
      scheme: "Basic",
      email: "a@b",
      password: "",
    });
  });

  it("reads a SharedAccessSignature token bare or in the portal's stored form", () => {
    for (const header of [
      `SharedAccessSignature ${TOKEN}`,
      `SharedAccessSignature token="${TOKEN}",refresh="true"`,
      `sharedaccesssignature token="${TOKEN}"`,
    ]) {
      assert.deepEqual(parseDeveloperAuthorization(header), { scheme: "SharedAccessSignature", token: TOKEN }, header);
    }
  });

  it("reads a Ticket id and secret", () => {
    const id = "0b6f6c1e-4f4c-4c55-9d7e-3d0c1b2a4f11";
    assert.deepEqual(parseDeveloperAuthorization(`Ticket id="${id}",ticket="abc_DEF-123"`), {
      scheme: "Ticket",
      id,
      secret: "abc_DEF-123",
    });
  });

  it("refuses malformed and unsupported headers with a message that never quotes the credentials", () => {
    const cases: [string, RegExp][] = [
      ["", /must be a scheme followed by credentials/],
      ["Basic", /must be a scheme followed by credentials/],
      ["Bearer eyJhbGciOi.secret-part", /scheme 'Bearer' is not supported: use Basic, SharedAccessSignature or Ticket/],
      ["Basic not*base64", /Basic credentials must be base64 of email:password/],
      ["Basic c2VjcmV0", /Basic credentials must be base64 of email:password/],
      [basic("no-colon-secret"), /Basic credentials must be base64 of email:password/],
      ['SharedAccessSignature token=""', /must carry a token/],
      ['SharedAccessSignature token="secret-part" refresh="true"', /must be name="value" pairs/],
      ['Ticket id="1"', /must be id="…",ticket="…"/],
      ['Ticket id="1",id="2",ticket="secret-part"', /parameter 'id' is repeated/],
      [`Basic ${"A".repeat(5000)}`, /too long/],
    ];
    for (const [header, message] of cases) {
      assert.throws(
        () => parseDeveloperAuthorization(header),
        (error: unknown) =>
          error instanceof AuthorizationHeaderError &&
          message.test(error.message) &&
          !error.message.includes("secret") &&
          !error.message.includes("c2VjcmV0"),
        header.slice(0, 80),
      );
    }
  });

  it("reads hostile headers of the largest allowed size in linear time", () => {
    for (const header of [
      `Ticket ${'a="",'.repeat(800)}`,
      `Ticket id="${"x".repeat(4000)}`,
      `Ticket ${" ".repeat(4000)}id`,
      `SharedAccessSignature token=${"=".repeat(4000)}`,
      `Basic ${"A".repeat(4000)}=`,
    ]) {
      const started = performance.now();
      assert.throws(() => parseDeveloperAuthorization(header), AuthorizationHeaderError);
      assert.ok(performance.now() - started < 20, header.slice(0, 40));
    }
  });

  it("writes the Ocp-Apim-Sas-Token value the portal parses", () => {
    const value = sasTokenHeaderValue({ value: TOKEN, userId: "dev", expiresAt: new Date() });
    assert.equal(value, `token="${TOKEN}",refresh="true"`);
    // The portal's own pattern for this header (src/authentication/accessToken.ts).
    assert.equal(/token="(.*==)"/.exec(value)?.[1], TOKEN);
  });
});
