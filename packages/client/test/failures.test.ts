import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientCredentials, DiscoveryError, TokenRequestError, type ClientCredentialsOptions } from "../src/index.js";
import {
  entraError,
  startFakeAuthority,
  startLocalServer,
  tokenAnswer,
  type Answer,
  type FakeAuthority,
  type LocalServer,
} from "./helpers/local-server.js";

const SECRET = "s3cret-Value_that~must.not.leak";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Failures Gatehouse does not produce (503, 429, dropped connections), from a scripted local token endpoint. */
describe("ClientCredentials on failing endpoints", () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const authority = async (answer: (n: number) => Answer): Promise<FakeAuthority> => {
    const fake = await startFakeAuthority(answer);
    servers.push(fake);
    return fake;
  };
  const client = (fake: FakeAuthority, options: Partial<ClientCredentialsOptions> = {}) =>
    new ClientCredentials({
      authority: fake.authority,
      clientId: "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
      clientSecret: SECRET,
      scope: "api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f/.default",
      retry: { baseDelayMs: 5 },
      ...options,
    });

  it("a 503 is retried with the same client-request-id, a 400 is not", async () => {
    const flaky = await authority((n) => (n < 2 ? { status: 503, body: "<html>busy</html>" } : tokenAnswer("token-2")));
    assert.equal((await client(flaky).getToken()).accessToken, "token-2");
    assert.equal(flaky.tokenRequests.length, 3);
    assert.equal(new Set(flaky.tokenRequests.map((r) => r.headers["client-request-id"])).size, 1);

    const refusing = await authority(() =>
      entraError(400, "invalid_scope", 70011, "The provided value for scope isn't valid."),
    );
    const error = await client(refusing)
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof TokenRequestError);
    assert.equal(error.status, 400);
    assert.equal(error.aadsts, "AADSTS70011");
    assert.equal(refusing.tokenRequests.length, 1);
  });

  it("attempts are bounded: the last 5xx is the error", async () => {
    const down = await authority(() => ({ status: 502, body: "<html>bad gateway</html>" }));
    const error = await client(down, { retry: { attempts: 4, baseDelayMs: 1 } })
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof TokenRequestError);
    assert.equal(error.status, 502);
    assert.equal(error.message, "token endpoint answered 502");
    assert.equal(error.aadsts, undefined);
    assert.equal(down.tokenRequests.length, 4);
  });

  it("a 429 waits for Retry-After, in seconds or as an HTTP date", async () => {
    const inSeconds = await authority((n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "1" }, body: {} } : tokenAnswer("after-seconds"),
    );
    assert.equal((await client(inSeconds, { retry: { baseDelayMs: 1 } }).getToken()).accessToken, "after-seconds");
    const [first, second] = inSeconds.tokenRequests;
    assert.ok((second?.at ?? 0) - (first?.at ?? 0) >= 950, "waited the second Retry-After asked for");

    const asDate = await authority((n) =>
      n === 0
        ? { status: 429, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() }, body: {} }
        : tokenAnswer("after-date"),
    );
    assert.equal((await client(asDate, { retry: { baseDelayMs: 1 } }).getToken()).accessToken, "after-date");
    const [before, after] = asDate.tokenRequests;
    // The date has whole seconds, so the wait is between one and two seconds.
    assert.ok((after?.at ?? 0) - (before?.at ?? 0) >= 800, "waited until the date");
  });

  it("a Retry-After longer than maxDelayMs ends the retries and is reported", async () => {
    const throttled = await authority(() => ({ status: 429, headers: { "retry-after": "120" }, body: {} }));
    const error = await client(throttled, { retry: { maxDelayMs: 5000 } })
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof TokenRequestError);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 120_000);
    assert.equal(throttled.tokenRequests.length, 1);
  });

  it("network errors are retried; when every try fails the error says why", async () => {
    const dropping = await authority((n) => (n === 0 ? "drop" : tokenAnswer("after-drop")));
    assert.equal((await client(dropping).getToken()).accessToken, "after-drop");
    assert.equal(dropping.tokenRequests.length, 2);

    const gone = await authority(() => "drop");
    const error = await client(gone)
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof TokenRequestError);
    assert.equal(error.status, undefined);
    assert.match(error.message, /^cannot reach http:\/\/127\.0\.0\.1:\d+\/.*\/oauth2\/v2\.0\/token: /);
    assert.equal(gone.tokenRequests.length, 3, "the default policy tries three times");
  });

  it("a request that gets no answer within timeoutMs is a network failure", async () => {
    const silent = await authority((n) => (n === 0 ? "hang" : tokenAnswer("in-time")));
    assert.equal((await client(silent, { timeoutMs: 1000 }).getToken()).accessToken, "in-time");

    const mute = await authority(() => "hang");
    const error = await client(mute, { timeoutMs: 200, retry: { attempts: 2, baseDelayMs: 1 } })
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof TokenRequestError);
    assert.match(error.message, /: timed out$/);
    assert.equal(mute.tokenRequests.length, 2);
  });

  it("each try gets a new assertion from the caller's function", async () => {
    let calls = 0;
    const flaky = await authority((n) => (n === 0 ? { status: 500, body: {} } : tokenAnswer("ok")));
    await client(flaky, {
      clientSecret: undefined,
      clientAssertion: () => `assertion-${++calls}`,
    }).getToken();
    assert.deepEqual(
      flaky.tokenRequests.map((r) => new URLSearchParams(r.body).get("client_assertion")),
      ["assertion-1", "assertion-2"],
    );
  });

  it("the secret and the assertion never reach an error message, even when the server echoes them", async () => {
    const echoing = await authority((n) =>
      entraError(401, "invalid_client", 7000215, `Invalid credential '${n === 0 ? SECRET : "the-assertion"}'.`),
    );
    const secretError = await client(echoing)
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(secretError instanceof TokenRequestError);
    assert.equal(secretError.message, "AADSTS7000215: Invalid credential '[redacted]'.");
    assert.equal(secretError.errorDescription, secretError.message);

    const assertionError = await client(echoing, { clientSecret: undefined, clientAssertion: () => "the-assertion" })
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(assertionError instanceof TokenRequestError);
    assert.equal(assertionError.message, "AADSTS7000215: Invalid credential '[redacted]'.");
  });

  it("refresh_in decides the refresh time; a failed background refresh keeps the token and is tried again", async () => {
    const fake = await authority((n) =>
      n === 1
        ? entraError(400, "invalid_request", 90014, "Refresh refused.")
        : tokenAnswer(`token-${n}`, { expires_in: 3600, refresh_in: 1 }),
    );
    const refreshErrors: unknown[] = [];
    let failed: () => void = () => undefined;
    const refreshFailed = new Promise<void>((resolve) => (failed = resolve));
    const cc = client(fake, {
      onRefreshError: (error) => {
        refreshErrors.push(error);
        failed();
      },
    });
    const first = await cc.getToken();
    assert.equal(first.expiresOn.getTime() - first.refreshOn.getTime(), 3599_000, "refresh_in 1 of expires_in 3600");
    await sleep(first.refreshOn.getTime() - Date.now() + 50);

    assert.equal((await cc.getToken()).accessToken, "token-0", "served while the refresh runs");
    await refreshFailed;
    assert.ok(refreshErrors[0] instanceof TokenRequestError);
    assert.equal((refreshErrors[0] as TokenRequestError).aadsts, "AADSTS90014");

    assert.equal((await cc.getToken()).accessToken, "token-0", "kept after the failed refresh, which is tried again");
    let current = "token-0";
    for (let i = 0; i < 100 && current === "token-0"; i++) {
      await sleep(20);
      current = (await cc.getToken()).accessToken;
    }
    assert.equal(current, "token-2");
    assert.equal(refreshErrors.length, 1);
  });

  it("an expired token is replaced before the call returns", async () => {
    const fake = await authority((n) => tokenAnswer(`short-${n}`, { expires_in: 1 }));
    const cc = client(fake, { skewSeconds: 0, refreshAhead: false });
    assert.equal((await cc.getToken()).accessToken, "short-0");
    assert.equal((await cc.getToken()).accessToken, "short-0");
    await sleep(1100);
    assert.equal((await cc.getToken()).accessToken, "short-1");
    assert.equal(fake.tokenRequests.length, 2);
  });

  it("a 200 without a usable token is an error, not a cached entry", async () => {
    const broken = await authority((n) =>
      n === 0 ? { status: 200, body: { token_type: "Bearer", access_token: "no-expiry" } } : tokenAnswer("fine"),
    );
    const cc = client(broken);
    await assert.rejects(cc.getToken(), /answered 200 without access_token and expires_in/);
    assert.equal((await cc.getToken()).accessToken, "fine");
  });

  it("discovery failures are DiscoveryErrors; the document is retried and then kept", async () => {
    const documents: Answer[] = [
      { status: 503, body: {} },
      { status: 200, body: { issuer: "x" } },
      { status: 200, body: { token_endpoint: "http://token.example/oauth2/v2.0/token" } },
    ];
    let origin = "";
    let discoveries = 0;
    const server = await startLocalServer((request) => {
      if (request.method === "GET") {
        return documents[discoveries++] ?? { status: 200, body: { token_endpoint: `${origin}/t/oauth2/v2.0/token` } };
      }
      return tokenAnswer("from-discovered-endpoint");
    });
    servers.push(server);
    origin = server.url;
    const cc = new ClientCredentials({
      authority: `${origin}/t`,
      clientId: "c",
      clientSecret: SECRET,
      scope: "s/.default",
      retry: { attempts: 2, baseDelayMs: 1 },
    });

    const missing = await cc.getToken().catch((e: unknown) => e);
    assert.ok(missing instanceof DiscoveryError);
    assert.match(missing.message, /names no https token_endpoint$/);
    assert.equal(discoveries, 2, "the 503 was retried");

    const insecure = await cc.getToken().catch((e: unknown) => e);
    assert.ok(insecure instanceof DiscoveryError, "plain http only on loopback");

    assert.equal((await cc.getToken()).accessToken, "from-discovered-endpoint");
    assert.equal((await cc.getToken({ forceRefresh: true })).accessToken, "from-discovered-endpoint");
    assert.equal(discoveries, 4, "the document is kept once read");
  });
});
