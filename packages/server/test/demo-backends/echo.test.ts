import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { startDemoBackends, type DemoBackends, type EchoReply } from "../../src/demo/backends/index.js";

describe("Echo backend", () => {
  let backends: DemoBackends;
  before(async () => {
    backends = await startDemoBackends({ host: "127.0.0.1" });
  });
  after(() => backends.close());

  it("reflects method, raw path, decoded query, headers and body", async () => {
    const res = await fetch(`${backends.echoUrl}/orders/a%20b/items?id=1&id=2&name=J%C3%BCrgen&flag&__proto__=x`, {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        "x-forwarded-for": "10.1.2.3",
        "Ocp-Apim-Subscription-Key": "k-123",
      },
      body: JSON.stringify({ hello: "wörld" }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    const echo = (await res.json()) as EchoReply;
    assert.equal(echo.method, "PATCH");
    assert.equal(echo.path, "/orders/a%20b/items");
    assert.deepEqual(echo.query, { id: ["1", "2"], name: ["Jürgen"], flag: [""], ["__proto__"]: ["x"] });
    assert.ok(Object.hasOwn(echo.query, "__proto__"));
    assert.equal(echo.headers["x-forwarded-for"], "10.1.2.3");
    assert.equal(echo.headers["ocp-apim-subscription-key"], "k-123");
    assert.equal(echo.headers["content-type"], "application/json");
    assert.equal(echo.body, '{"hello":"wörld"}');
  });

  it("echoes every method, with an empty body and no query", async () => {
    for (const method of ["GET", "DELETE", "OPTIONS", "POST", "PUT"]) {
      const echo = (await (await fetch(`${backends.echoUrl}/`, { method })).json()) as EchoReply;
      assert.deepEqual([echo.method, echo.path, echo.query, echo.body], [method, "/", {}, ""]);
    }
  });

  it("keeps a header sent several times, values joined in order", async () => {
    const echo = await new Promise<EchoReply>((resolve, reject) => {
      const req = request(`${backends.echoUrl}/h`, { headers: { "x-multi": ["one", "two"] } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve(JSON.parse(text) as EchoReply));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(echo.headers["x-multi"], "one, two");
  });

  it("refuses a body over 1 MiB with 413 and closes the connection", async () => {
    const res = await fetch(`${backends.echoUrl}/big`, { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get("connection"), "close");
    assert.deepEqual(await res.json(), { error: "The request body exceeds 1048576 bytes." });
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const res = await fetch(`${backends.echoUrl}/big`, { method: "POST", body: "y".repeat(1024 * 1024) });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as EchoReply).body.length, 1024 * 1024);
  });
});

describe("startDemoBackends", () => {
  it("puts NumberConversion on the given port and Echo on the next one, and frees both on close", async () => {
    // A port the system just handed out and released is very likely free again for the two servers.
    const probe = await startDemoBackends({ host: "127.0.0.1" });
    const port = Number(new URL(probe.numbersUrl).port);
    await probe.close();
    const fixed = await startDemoBackends({ host: "127.0.0.1", port });
    try {
      assert.equal(fixed.numbersUrl, `http://127.0.0.1:${port}/webservicesserver/NumberConversion.wso`);
      assert.equal(fixed.echoUrl, `http://127.0.0.1:${port + 1}`);
      assert.equal((await fetch(`${fixed.echoUrl}/x`)).status, 200);
    } finally {
      await fixed.close();
    }
    await assert.rejects(fetch(`${fixed.echoUrl}/x`));
  });
});
