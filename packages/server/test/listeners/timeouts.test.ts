import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { DEFAULT_LISTENER_LIMITS } from "../../src/config/options.js";
import { assertApim, assertArm, assertEntra, assertGraph } from "../helpers/error-shapes.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { startArgs, startCliServer, type CliServer } from "../helpers/cli-server.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml } from "../helpers/gateway.js";
import { RawConnection, rawRequest, type RawResponse } from "../helpers/raw-http.js";

/** Short limits so the probes stay quick; what is asserted is the outcome (408, closed), never a duration. */
const LIMITS = { ...DEFAULT_LISTENER_LIMITS, headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000 };
/** The issue's slow body (a byte every five seconds), scaled to the short limits; bounded in count. */
const TRICKLE = { bytes: 40, intervalMs: 250 };

/** Sends `head`, then the body a byte at a time until the server closes the connection (or the bytes run out). */
async function trickle(url: string, caPath: string | undefined, head: string): Promise<RawResponse> {
  const connection = await RawConnection.open(url, caPath);
  try {
    await connection.write(head);
    for (let i = 0; i < TRICKLE.bytes && !connection.isClosed; i++) {
      await connection.write("a");
      await sleep(TRICKLE.intervalMs);
    }
    assert.ok(connection.isClosed, "the server kept a slow request open");
    return await connection.response();
  } finally {
    connection.close();
  }
}

describe("slow requests are cut off on every listener", () => {
  let gh: TestGatehouse;
  let backend: Server;
  let adminToken: string;

  before(async () => {
    // Reads the whole body before answering, as a backend receiving an upload does.
    backend = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("done"));
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    gh = await startTestGatehouse({
      config: `${EXAMPLE_CONFIG}gateway:
  apis:
    - name: upload
      displayName: upload
      path: upload
      serviceUrl: ${backendUrl}
      subscriptionRequired: false
      operations:
        - { name: post, displayName: Post, method: POST, urlTemplate: "/*" }
${apiYaml("open", backendUrl, ["subscriptionRequired: false"])}`,
      overrides: { limits: LIMITS },
    });
    adminToken = await gh.adminToken();
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => backend.close(resolve));
  });

  const slowBody = (method: string, path: string, headers: string[] = []) =>
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
  const slowHeaders = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Slow: `;

  it("identity: a token request whose body trickles in gets Entra's 408", async () => {
    const head = slowBody("POST", `/${EXAMPLE.tenantId}/oauth2/v2.0/token`, [
      "Content-Type: application/x-www-form-urlencoded",
    ]);
    assertEntra(await trickle(gh.identityUrl, gh.caPath, head), 408);
  });

  it("identity: headers that trickle in get Entra's 408", async () => {
    assertEntra(await trickle(gh.identityUrl, gh.caPath, slowHeaders("/common/discovery/keys")), 408);
  });

  it("admin: a Graph request whose body trickles in gets Graph's 408", async () => {
    const head = slowBody("POST", "/v1.0/applications", [
      "Content-Type: application/json",
      `Authorization: Bearer ${adminToken}`,
    ]);
    assertGraph(await trickle(gh.adminUrl, gh.caPath, head), 408);
  });

  it("admin: an ARM request whose body trickles in gets ARM's 408", async () => {
    const head = slowBody("PUT", "/gateway/apis/slow", [
      "Content-Type: application/json",
      `Authorization: Bearer ${adminToken}`,
    ]);
    assertArm(await trickle(gh.adminUrl, gh.caPath, head), 408);
  });

  it("gateway: an upload streamed to the backend that trickles in gets APIM's 408", async () => {
    assertApim(await trickle(gh.gatewayUrl, gh.caPath, slowBody("POST", "/upload/file")), 408);
    // The upload to the backend stops with it, counted as the client's failure, not the backend's.
    const counted =
      /gatehouse_gateway_policy_rejections_total\{source="forward-request",reason="ClientConnectionFailure"\} 1/;
    for (let i = 0; i < 50 && !counted.test(await gh.gatewayMetrics()); i++) await sleep(100);
    assert.match(await gh.gatewayMetrics(), counted);
  });

  it("gateway: headers that trickle in get APIM's 408", async () => {
    assertApim(await trickle(gh.gatewayUrl, gh.caPath, slowHeaders("/open/x")), 408);
  });

  it("the gateway still serves after cutting slow requests off", async () => {
    const connection = await RawConnection.open(gh.gatewayUrl, gh.caPath);
    await connection.write("POST /upload/file HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nhi");
    const response = await connection.response();
    assert.equal(response.status, 200, response.body);
    assert.equal(response.body, "done");
    // Keep-alive: the idle connection is closed by the server after its keep-alive timeout.
    await connection.closed;
  });

  it("a TLS handshake that never starts is cut off", async () => {
    const port = Number(new URL(gh.gatewayUrl).port);
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => socket.once("close", resolve));
  });

  for (const listener of ["identityUrl", "adminUrl", "gatewayUrl"] as const) {
    it(`${listener.replace("Url", "")}: an idle keep-alive connection is closed`, async () => {
      const connection = await RawConnection.open(gh[listener], gh.caPath);
      await connection.write("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assert.equal((await connection.response()).status, 404);
      await connection.closed;
    });
  }
});

describe("connections beyond the cap are closed", () => {
  let gh: TestGatehouse;

  before(async () => {
    gh = await startTestGatehouse({
      overrides: { limits: { ...DEFAULT_LISTENER_LIMITS, maxConnections: 2 }, tls: { mode: "insecure" } },
    });
  });
  after(() => gh.stop());

  for (const listener of ["identityUrl", "adminUrl", "gatewayUrl"] as const) {
    it(`${listener.replace("Url", "")}: the third connection gets nothing and is closed`, async () => {
      const held = [await RawConnection.open(gh[listener]), await RawConnection.open(gh[listener])];
      // Both held connections are served...
      for (const connection of held) {
        await connection.write("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assert.equal((await connection.response()).status, 404);
      }
      // ...the next one is not.
      const refused = await RawConnection.open(gh[listener]);
      await refused.write("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n");
      await refused.closed;
      assert.equal(await refused.waitFor("HTTP/1.1"), "");
      for (const connection of held) connection.close();
      await Promise.all(held.map((connection) => connection.closed));
    });
  }
});

describe("gatehouse start takes the limits from flags and environment variables, gateway workers included", () => {
  let dataDir: string;
  let server: CliServer;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-limits-"));
    server = await startCliServer(
      dataDir,
      ["--gateway-port", "0", "--gateway-workers", "2", "--headers-timeout", "1", "--request-timeout", "2"],
      { GATEHOUSE_MAX_HEADER_SIZE: "1024" },
    );
  });
  after(async () => {
    await server.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  it("--headers-timeout: a worker cuts trickling headers off with APIM's 408", async () => {
    assertApim(await trickle(server.info.gatewayUrl, undefined, "GET /x HTTP/1.1\r\nHost: localhost\r\nX-Slow: "), 408);
  });

  it("GATEHOUSE_MAX_HEADER_SIZE: 2 KB of headers get 431 from the gateway and the identity listener", async () => {
    const request = `GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(2048)}\r\n\r\n`;
    assertApim(await rawRequest(server.info.gatewayUrl, request), 431);
    assertEntra(await rawRequest(server.info.identityUrl, request), 431);
  });

  it("refuses a headers timeout longer than the request timeout", async () => {
    const result = await runCli([
      ...startArgs(dataDir),
      ...["--gateway-port", "0", "--headers-timeout", "60", "--request-timeout", "30"],
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--headers-timeout cannot be longer than --request-timeout/);
  });
});
