/** Every expression example of reference apim.md §3.4, on realistic request contexts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Jwt } from "../../src/gateway/jwt/jwt.js";
import { HeaderMap } from "../../src/gateway/pipeline/headers.js";
import type { PipelineContext } from "../../src/gateway/pipeline/context.js";
import { compile, contextFor, evaluate, text } from "./helpers.js";

const STARTER = {
  name: "starter",
  displayName: "Starter",
  description: null,
  terms: null,
  state: "published" as const,
  subscriptionRequired: true,
  approvalRequired: false,
  subscriptionsLimit: 1,
  apis: ["echo"],
  groups: [],
};

const withProduct = (context: PipelineContext) => Object.assign(context, { product: STARTER });

function respond(context: PipelineContext, status: number, headers: Record<string, string> = {}, body?: string) {
  const map = new HeaderMap();
  for (const [name, value] of Object.entries(headers)) map.set(name, [value]);
  context.response = { statusCode: status, statusReason: "OK", headers: map, body };
}

describe("reference §3.4 examples", () => {
  it("1. takes the bearer token out of the Authorization header", () => {
    const source = `@(context.Request.Headers.GetValueOrDefault("Authorization","scheme param").Split(' ').Last())`;
    assert.equal(
      text(source, { request: { headers: { Authorization: "Bearer eyJ0eXAi.e30.sig" } } }),
      "eyJ0eXAi.e30.sig",
    );
    assert.equal(text(source), "param");
  });

  it("2. keys throttling on the caller's IP address", () => {
    assert.equal(text(`@(context.Request.IpAddress)`), "127.0.0.1");
  });

  it("3. keys on the subscription, tolerating anonymous calls", () => {
    const source = `@(context.Subscription?.Key ?? "anonymous")`;
    assert.equal(text(source), "anonymous");
    const subscription = {
      name: "sub1",
      displayName: "Subscription one",
      scope: { kind: "allApis" as const },
      state: "active" as const,
      allowTracing: false,
      createdDate: "2024-05-01T10:00:00Z",
      startDate: null,
      expirationDate: null,
      key: "k-primary",
      primaryKey: "k-primary",
      secondaryKey: "k-secondary",
    };
    assert.equal(text(source, { context: (c) => Object.assign(c, { subscription }) }), "k-primary");
  });

  it("4. routes on a query parameter", () => {
    const source = `@(context.Request.Url.Query.GetValueOrDefault("version") == "2013-05")`;
    assert.equal(evaluate(source, { request: { query: "version=2013-05" } }), true);
    assert.equal(evaluate(source, { request: { query: "version=2014-01" } }), false);
    assert.equal(evaluate(source), false);
  });

  it("5. reads a typed variable", () => {
    const source = `@(context.Variables.GetValueOrDefault<bool>("isMobile"))`;
    assert.equal(evaluate(source, { context: (c) => c.variables.set("isMobile", true) }), true);
    assert.equal(evaluate(source), false);
  });

  it("6. filters on the response status and the product", () => {
    const source = `@(context.Response.StatusCode == 200 && context.Product.Name.Equals("Starter"))`;
    assert.equal(evaluate(source, { context: (c) => respond(withProduct(c), 200) }), true);
    assert.equal(evaluate(source, { context: (c) => respond(withProduct(c), 404) }), false);
  });

  it("7. authorises on a claim of the validated token", () => {
    const source = `@(context.Request.Method == "POST" && !((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))`;
    const token = (groups: string[]) => new Jwt({ alg: "RS256", typ: "JWT" }, { sub: "alice", group: groups });
    const post = { method: "POST" };
    assert.equal(evaluate(source, { request: post, context: (c) => c.variables.set("jwt", token(["it"])) }), true);
    assert.equal(
      evaluate(source, { request: post, context: (c) => c.variables.set("jwt", token(["it", "finance"])) }),
      false,
    );
  });

  it("8. propagates a correlation id, or makes one", () => {
    const source = `@(context.Request.Headers.GetValueOrDefault("x-correlation-id", Guid.NewGuid().ToString()))`;
    assert.equal(text(source, { request: { headers: { "x-correlation-id": "corr-42" } } }), "corr-42");
    assert.match(text(source), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("9. rewrites a JSON body in a statement block", () => {
    const compiled = compile(
      `@{ var b = context.Request.Body.As<JObject>(preserveContent: true); b["source"] = "apim"; return b.ToString(); }`,
    );
    assert.deepEqual(compiled.readsBody, { request: true, response: false });
    const context = contextFor({ request: { method: "POST" } });
    context.request.body = Buffer.from(`{"id":5,"tags":["a"]}`);
    assert.equal(compiled.evaluate(context), `{\n  "id": 5,\n  "tags": [\n    "a"\n  ],\n  "source": "apim"\n}`);
    // preserveContent: the body is still there for the backend.
    assert.equal(String(context.request.body), `{"id":5,"tags":["a"]}`);
  });

  it("10. reports the last error and the response status in on-error", () => {
    const lastError = {
      source: "validate-jwt",
      reason: "TokenExpired",
      message: "IDX10223: Lifetime validation failed.",
      scope: "api" as const,
      section: "inbound" as const,
      path: "inbound/validate-jwt[1]",
      policyId: undefined,
    };
    const setup = {
      context: (c: PipelineContext) => {
        c.lastError = lastError;
        respond(c, 401);
      },
    };
    assert.equal(
      text(`@(context.LastError.Source + ": " + context.LastError.Message)`, setup),
      "validate-jwt: IDX10223: Lifetime validation failed.",
    );
    assert.equal(text(`@(context.Response.StatusCode.ToString())`, setup), "401");
  });

  it("11. builds a bearer header from a variable", () => {
    const source = `@("Bearer " + (string)context.Variables["msi-access-token"])`;
    assert.equal(text(source, { context: (c) => c.variables.set("msi-access-token", "eyJ.msi") }), "Bearer eyJ.msi");
  });

  it("12. writes a log line", () => {
    const source = `@(string.Join(",", DateTime.UtcNow, context.Deployment.ServiceName, context.RequestId, context.Request.IpAddress, context.Operation.Name))`;
    const line = text(source);
    const [when, ...rest] = line.split(",");
    assert.match(when as string, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(rest, ["gatehouse", "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13", "127.0.0.1", "Get user"]);
  });

  it("13. takes the cache duration from the backend's Cache-Control", () => {
    const source = `@{ var h = context.Response.Headers.GetValueOrDefault("Cache-Control",""); var m = Regex.Match(h, @"max-age=(?<maxAge>\\d+)").Groups["maxAge"]?.Value; return string.IsNullOrEmpty(m) ? 300 : int.Parse(m); }`;
    assert.equal(
      evaluate(source, { context: (c) => respond(c, 200, { "Cache-Control": "public, max-age=120" }) }),
      120,
    );
    assert.equal(evaluate(source, { context: (c) => respond(c, 200, { "Cache-Control": "no-store" }) }), 300);
    assert.equal(evaluate(source), 300);
  });

  it("14. uses the gateway host as the audience", () => {
    assert.equal(text(`@(context.Request.OriginalUrl.Host)`, { request: { path: "/users/5" } }), "127.0.0.1");
  });
});
