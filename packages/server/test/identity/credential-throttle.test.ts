/**
 * Finding 7 of the hardening issue: wrong client secrets were free (2,000 at 1,200/s, all 401, no slowdown). Failed
 * attempts are now counted per client id and source address and per source address; over the limit the token
 * endpoint answers 429 with Retry-After in Entra's shape without checking the secret, while the right secret from
 * another address still works. Sources are told apart by connecting from different loopback addresses.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";
import { call, type GatewayReply } from "../helpers/gateway.js";
import { readAdminClient } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliServer } from "../helpers/cli-server.js";
import { runCli } from "../helpers/cli.js";

const WINDOW_SECONDS = 2;

interface EntraError {
  error: string;
  error_codes: number[];
  error_description: string;
  correlation_id: string;
}

describe("throttling of wrong client secrets at the token endpoint", () => {
  let gh: TestGatehouse;
  let tokenUrl: string;

  before(async () => {
    gh = await startTestGatehouse({
      config: EXAMPLE_CONFIG,
      overrides: { credentialThrottle: { perClientAndAddress: 3, perAddress: 5, windowSeconds: WINDOW_SECONDS } },
    });
    // By IP, so the connection's source address is the one chosen.
    tokenUrl = gh.tokenUrl().replace("//localhost:", "//127.0.0.1:");
  });
  after(() => gh.stop());

  const token = (localAddress: string, form: Record<string, string>): Promise<GatewayReply> =>
    call(gh, tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      localAddress,
    });
  const wrong = (n: number) => exampleTokenForm({ client_secret: `wrong-secret-guess-number-${n}` });

  it("answers 429 with Retry-After once one address has guessed too often, even for the right secret", async () => {
    const guesser = "127.0.0.11";
    for (let n = 0; n < 3; n++) {
      const reply = await token(guesser, wrong(n));
      assert.equal(reply.status, 401, reply.text);
      assert.equal(reply.headers["retry-after"], undefined, "an ordinary 401 must not carry Retry-After");
      assert.deepEqual(reply.json<EntraError>().error_codes, [7000215]);
    }
    for (const form of [wrong(3), exampleTokenForm()]) {
      const reply = await token(guesser, form);
      assert.equal(reply.status, 429, reply.text);
      const retryAfter = Number(reply.headers["retry-after"]);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_SECONDS, String(retryAfter));
      const body = reply.json<EntraError>();
      assert.equal(body.error, "temporarily_unavailable");
      assert.deepEqual(body.error_codes, [50196]);
      assert.match(body.error_description, /^AADSTS50196: .*\r\nTrace ID: .*\r\nCorrelation ID: /s);
      assert.ok(!body.error_description.includes(EXAMPLE.secret));
    }
  });

  it("still issues a token for the right secret from another address meanwhile", async () => {
    const reply = await token("127.0.0.12", exampleTokenForm());
    assert.equal(reply.status, 200, reply.text);
    assert.ok(typeof reply.json<{ access_token: string }>().access_token === "string");
  });

  it("lets the throttled address in again once the window has room", async () => {
    const guesser = "127.0.0.13";
    for (let n = 0; n < 3; n++) assert.equal((await token(guesser, wrong(n))).status, 401);
    const refused = await token(guesser, exampleTokenForm());
    assert.equal(refused.status, 429);
    await sleep(Number(refused.headers["retry-after"]) * 1000 + 100);
    const reply = await token(guesser, exampleTokenForm());
    assert.equal(reply.status, 200, reply.text);
  });

  it("counts one address's failures over every client id it tries (password spraying)", async () => {
    const sprayer = "127.0.0.14";
    const admin = await readAdminClient(gh.dataDir, await loadMasterKey(gh.dataDir));
    const adminUrl = `${gh.identityUrl.replace("//localhost:", "//127.0.0.1:")}/${admin.tenantId}/oauth2/v2.0/token`;
    const adminForm = (secret: string) => ({
      grant_type: "client_credentials",
      client_id: admin.clientId,
      client_secret: secret,
      scope: admin.scope,
    });
    const adminToken = (localAddress: string, secret: string) =>
      call(gh, adminUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(adminForm(secret)).toString(),
        localAddress,
      });
    // An unknown client id is not a credential failure.
    const unknown = exampleTokenForm({ client_id: "0a9b8c7d-6e5f-4a3b-9c2d-000000000000" });
    assert.equal((await token(sprayer, unknown)).status, 400);
    for (let n = 0; n < 3; n++) assert.equal((await token(sprayer, wrong(n))).status, 401);
    for (let n = 0; n < 2; n++) assert.equal((await adminToken(sprayer, `wrong-admin-secret-${n}`)).status, 401);
    // Five failures from this address in all: every client id is refused from it, the right secret too.
    const refused = await adminToken(sprayer, admin.clientSecret);
    assert.equal(refused.status, 429, refused.text);
    assert.equal((await adminToken("127.0.0.16", admin.clientSecret)).status, 200);
  });

  it("never counts a right secret, however often it is sent", async () => {
    const caller = "127.0.0.15";
    for (let n = 0; n < 8; n++) assert.equal((await token(caller, exampleTokenForm())).status, 200);
    assert.equal((await token(caller, wrong(0))).status, 401);
  });
});

describe("the token endpoint with the throttle turned off (limits of 0)", () => {
  let gh: TestGatehouse;

  before(async () => {
    gh = await startTestGatehouse({
      config: EXAMPLE_CONFIG,
      overrides: { credentialThrottle: { perClientAndAddress: 0, perAddress: 0, windowSeconds: 60 } },
    });
  });
  after(() => gh.stop());

  it("answers every wrong secret with 401 and the right one with a token", async () => {
    for (let n = 0; n < 15; n++) {
      const reply = await gh.postForm(gh.tokenUrl(), exampleTokenForm({ client_secret: `wrong-${n}` }));
      assert.equal(reply.status, 401);
    }
    assert.equal((await gh.postForm(gh.tokenUrl(), exampleTokenForm())).status, 200);
  });
});

describe("the throttle configured from the command line and the environment", () => {
  it("takes --auth-failure-window and GATEHOUSE_AUTH_FAILURE_LIMIT", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-throttle-cli-"));
    const config = join(dataDir, "config.yaml");
    await writeFile(config, EXAMPLE_CONFIG);
    const server = await startCliServer(
      dataDir,
      ["--config", config, "--gateway-port", "0", "--auth-failure-window", "30", "--log-level", "silent"],
      { CLIENT_APP_SECRET: EXAMPLE.secret, GATEHOUSE_AUTH_FAILURE_LIMIT: "2" },
    );
    try {
      const url = `${server.info.identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/token`;
      const post = (secret: string) =>
        fetch(url, { method: "POST", body: new URLSearchParams(exampleTokenForm({ client_secret: secret })) });
      assert.equal((await post("wrong-secret-one-0001")).status, 401);
      assert.equal((await post("wrong-secret-two-0002")).status, 401);
      const refused = await post(EXAMPLE.secret);
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      assert.ok(retryAfter > 2 && retryAfter <= 30, String(retryAfter));
    } finally {
      await server.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a window longer than five minutes or a negative limit, with one line", async () => {
    for (const args of [
      ["start", "--auth-failure-window", "301"],
      ["start", "--auth-failure-limit", "-1"],
    ]) {
      const result = await runCli(args);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /auth-failure/);
    }
  });
});
