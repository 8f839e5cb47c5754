import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml } from "../helpers/gateway.js";
import { assertApim, assertArm, assertEntra, assertGraph } from "../helpers/error-shapes.js";
import { RawConnection, rawRequest, type RawResponse } from "../helpers/raw-http.js";

/**
 * Requests refused before any route ran — by fastify's router or node's HTTP parser — get the listener's own error
 * body (Entra on identity, Graph or ARM on admin, APIM on the gateway), never `FST_ERR_*` JSON or node's empty
 * 400/431/417. Sent over raw TLS sockets, since well-behaved clients cannot send most of them.
 */
describe("every listener answers what it refuses in its counterpart's shape", () => {
  let gh: TestGatehouse;

  before(async () => {
    gh = await startTestGatehouse({
      config: `${EXAMPLE_CONFIG}gateway:\n  apis:\n${apiYaml("open", "http://127.0.0.1:9", ["subscriptionRequired: false"])}`,
    });
  });
  after(() => gh.stop());

  const send = (url: string, request: string): Promise<RawResponse> => rawRequest(url, request, gh.caPath);
  const line = (method: string, path: string, headers: string[] = []) =>
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
  const token = `/${EXAMPLE.tenantId}/oauth2/v2.0/token`;
  const hugeHeader = `X-Big: ${"a".repeat(20 * 1024)}`;

  describe("identity: Entra's AADSTS JSON", () => {
    it("a malformed percent-encoding in the path (was FST_ERR_BAD_URL)", async () => {
      assertEntra(await send(gh.identityUrl, line("POST", "/%ZZ/oauth2/v2.0/token", ["Content-Length: 0"])), 400);
    });
    it("a 5,000-character tenant (was FST_ERR_MAX_PARAM_LENGTH)", async () => {
      const path = `/${"t".repeat(5000)}/oauth2/v2.0/token`;
      assertEntra(await send(gh.identityUrl, line("POST", path, ["Content-Length: 0"])), 400);
    });
    it("a request line that is not HTTP (was node's 'Client Error')", async () => {
      assertEntra(await send(gh.identityUrl, "GARBAGE\r\n\r\n"), 400);
    });
    it("header fields over the size limit (was an empty 431)", async () => {
      assertEntra(await send(gh.identityUrl, line("POST", token, [hugeHeader])), 431);
    });
    it("a control character in a header value", async () => {
      assertEntra(await send(gh.identityUrl, line("POST", token, ["X-Bad: a\u0001b", "Content-Length: 0"])), 400);
    });
    it("Content-Length together with Transfer-Encoding (request smuggling)", async () => {
      const headers = ["Content-Length: 4", "Transfer-Encoding: chunked"];
      assertEntra(await send(gh.identityUrl, `${line("POST", token, headers)}0\r\n\r\n`), 400);
    });
    it("an expectation other than 100-continue (was an empty 417)", async () => {
      assertEntra(await send(gh.identityUrl, line("POST", token, ["Expect: teapot", "Content-Length: 0"])), 417);
    });
  });

  describe("admin: Graph on Graph paths, ARM on API Management paths", () => {
    it("a malformed percent-encoding on a Graph path", async () => {
      assertGraph(await send(gh.adminUrl, line("GET", "/v1.0/applications/%ZZ")), 400);
    });
    it("a malformed percent-encoding on an ARM path", async () => {
      assertArm(await send(gh.adminUrl, line("GET", "/gateway/apis/%ZZ")), 400);
    });
    it("an overlong path segment", async () => {
      assertGraph(await send(gh.adminUrl, line("GET", `/v1.0/applications/${"a".repeat(5000)}`)), 400);
      assertArm(await send(gh.adminUrl, line("GET", `/gateway/apis/${"a".repeat(5000)}`)), 400);
    });
    it("a request line that is not HTTP", async () => {
      assertGraph(await send(gh.adminUrl, "GET /v1.0/applications HTTP/9\r\n\r\n"), 400);
    });
    it("header fields over the size limit", async () => {
      assertGraph(await send(gh.adminUrl, line("GET", "/v1.0/applications", [hugeHeader])), 431);
    });
    it("an expectation other than 100-continue, by the path's family", async () => {
      assertGraph(await send(gh.adminUrl, line("GET", "/v1.0/applications", ["Expect: teapot"])), 417);
      assertArm(await send(gh.adminUrl, line("GET", "/gateway/apis", ["Expect: teapot"])), 417);
    });
  });

  describe("gateway: API Management's envelope", () => {
    it("a request line that is not HTTP", async () => {
      assertApim(await send(gh.gatewayUrl, "GARBAGE\r\n\r\n"), 400);
    });
    it("header fields over the size limit", async () => {
      assertApim(await send(gh.gatewayUrl, line("GET", "/open/x", [hugeHeader])), 431);
    });
    it("a control character in a header name", async () => {
      assertApim(await send(gh.gatewayUrl, line("GET", "/open/x", ["X-B\u0000ad: 1"])), 400);
    });
    it("Content-Length together with Transfer-Encoding (request smuggling)", async () => {
      const headers = ["Content-Length: 4", "Transfer-Encoding: chunked"];
      assertApim(await send(gh.gatewayUrl, `${line("POST", "/open/x", headers)}0\r\n\r\n`), 400);
    });
    it("an expectation other than 100-continue", async () => {
      assertApim(await send(gh.gatewayUrl, line("GET", "/open/x", ["Expect: teapot"])), 417);
    });
    it("closes the connection after each of them", async () => {
      const connection = await RawConnection.open(gh.gatewayUrl, gh.caPath);
      await connection.write("GARBAGE\r\n\r\n");
      assert.equal((await connection.response()).headers.connection, "close");
      await connection.closed;
    });
  });
});
