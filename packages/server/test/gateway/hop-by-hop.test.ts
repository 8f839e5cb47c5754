import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml } from "../helpers/gateway.js";
import { RawConnection, rawRequest } from "../helpers/raw-http.js";

interface Seen {
  headers: IncomingHttpHeaders;
  bytes: number;
}

/** RFC 9110 §7.6.1 at the gateway: hop-by-hop fields stay on their connection, whichever way the message goes. */
describe("hop-by-hop headers and Expect: 100-continue", () => {
  let gh: TestGatehouse;
  let backend: Server;
  let backendUrl: string;

  before(async () => {
    // Reports what reached it, and answers with hop-by-hop fields of its own that must not reach the client.
    backend = createServer((req, res) => {
      let bytes = 0;
      req.on("data", (chunk: Buffer) => (bytes += chunk.length));
      req.on("end", () => {
        const body = JSON.stringify({ headers: req.headers, bytes } satisfies Seen);
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          connection: "keep-alive, X-Backend-Hop",
          "x-backend-hop": "connection-only",
          "keep-alive": "timeout=5",
          "proxy-authenticate": "Basic",
          "x-end-to-end": "kept",
        });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const open = "subscriptionRequired: false";
    const sendPolicy = `<policies><inbound><base /><send-request mode="copy" response-variable-name="r" /><return-response response-variable-name="r" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    gh = await startTestGatehouse({
      config: `gateway:
  apis:
${apiYaml("upload", backendUrl, [open], "POST")}${apiYaml("sent", backendUrl, [open, `policy: '${sendPolicy}'`], "POST")}`,
    });
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => backend.close(resolve));
  });

  /** A request on its own connection, the way curl writes it. */
  const request = (method: string, path: string, headers: string[], body = "") =>
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${headers.map((h) => `${h}\r\n`).join("")}Connection: close\r\n\r\n${body}`;

  it("answers 100 Continue and forwards a 2 MB curl-style upload without Expect", async () => {
    const size = 2 * 1024 * 1024;
    const connection = await RawConnection.open(gh.gatewayUrl, gh.caPath);
    await connection.write(
      `POST /upload/files HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${size}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    const interim = await connection.waitFor("\r\n\r\n");
    assert.match(interim, /^HTTP\/1\.1 100 Continue\r\n/);
    await connection.write(Buffer.alloc(size, 0x61));
    const response = await connection.response();
    assert.equal(response.status, 200, response.body);
    const seen = JSON.parse(response.body) as Seen;
    assert.equal(seen.bytes, size);
    assert.equal(seen.headers.expect, undefined);
  });

  it("does not forward Connection, the fields it names, or any other hop-by-hop field to the backend", async () => {
    const response = await rawRequest(
      gh.gatewayUrl,
      request(
        "POST",
        "/upload/x",
        [
          "Content-Length: 2",
          "X-Client-Hop: by-connection",
          "Keep-Alive: timeout=1",
          "TE: trailers",
          "Trailer: X-Later",
          "Upgrade: websocket",
          "Proxy-Authorization: Basic c2VjcmV0",
          "Proxy-Connection: keep-alive",
          "X-End-To-End: kept",
          "Connection: X-Client-Hop",
        ],
        "hi",
      ),
      gh.caPath,
    );
    assert.equal(response.status, 200, response.body);
    const { headers } = JSON.parse(response.body) as Seen;
    for (const name of [
      "x-client-hop",
      "keep-alive",
      "te",
      "trailer",
      "upgrade",
      "proxy-authorization",
      "proxy-connection",
    ]) {
      assert.equal(headers[name], undefined, `${name} reached the backend`);
    }
    assert.equal(headers["x-end-to-end"], "kept");
  });

  it("does not pass the backend's hop-by-hop fields on to the client", async () => {
    const response = await rawRequest(gh.gatewayUrl, request("POST", "/upload/x", ["Content-Length: 0"]), gh.caPath);
    assert.equal(response.status, 200, response.body);
    assert.equal(response.headers["x-end-to-end"], "kept");
    assert.equal(response.headers["x-backend-hop"], undefined);
    assert.equal(response.headers["keep-alive"], undefined);
    assert.equal(response.headers["proxy-authenticate"], undefined);
  });

  it("applies the same rule to send-request, both ways", async () => {
    const response = await rawRequest(
      gh.gatewayUrl,
      request(
        "POST",
        "/sent/x",
        ["Content-Length: 2", "Expect: 100-continue", "X-Client-Hop: 1", "Connection: X-Client-Hop"],
        "hi",
      ),
      gh.caPath,
    );
    assert.equal(response.status, 200, response.body);
    const { headers, bytes } = JSON.parse(response.body) as Seen;
    assert.equal(bytes, 2);
    assert.equal(headers.expect, undefined);
    assert.equal(headers["x-client-hop"], undefined);
    assert.equal(response.headers["x-backend-hop"], undefined);
    assert.equal(response.headers["proxy-authenticate"], undefined);
    assert.equal(response.headers["x-end-to-end"], "kept");
  });
});
