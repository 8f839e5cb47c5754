/** The `context` facade (reference apim.md §3.2) over the pipeline's state. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Jwt } from "../../src/gateway/jwt/jwt.js";
import type { PipelineContext, SubscriptionContext } from "../../src/gateway/pipeline/context.js";
import { HeaderMap } from "../../src/gateway/pipeline/headers.js";
import type { TraceRecorder } from "../../src/gateway/pipeline/trace.js";
import { compile, contextFor, evaluate, evaluationError, text } from "./helpers.js";

const SUBSCRIPTION: SubscriptionContext = {
  name: "sub-1",
  displayName: "Contoso mobile",
  scope: { kind: "allApis" },
  state: "active",
  allowTracing: false,
  createdDate: "2024-05-01T10:00:00Z",
  startDate: null,
  expirationDate: "2030-01-01T00:00:00Z",
  owner: null,
  key: "secondary-key",
  primaryKey: "primary-key",
  secondaryKey: "secondary-key",
};

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const TOKEN = `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url({ iss: "https://issuer", aud: ["api://a", "api://b"], sub: "alice", exp: 1893456000, roles: ["reader", "writer"], tid: "t1" })}.c2ln`;

describe("context", () => {
  it("describes the API, the operation and the deployment", () => {
    assert.equal(
      text(
        `@(context.Api.Id + "|" + context.Api.Name + "|" + context.Api.Path + "|" + context.Api.Revision + "|" + context.Api.IsCurrentRevision)`,
      ),
      "echo|Echo|echo|1|True",
    );
    assert.equal(text(`@(context.Api.ServiceUrl.Host + context.Api.ServiceUrl.Path)`), "127.0.0.1/echo");
    assert.equal(text(`@(context.Api.Version ?? "unversioned")`), "unversioned");
    assert.equal(text(`@(context.Api.SubscriptionKeyParameterNames.Header)`), "Ocp-Apim-Subscription-Key");
    assert.equal(
      text(
        `@(context.Operation.Id + "|" + context.Operation.Name + "|" + context.Operation.Method + "|" + context.Operation.UrlTemplate)`,
      ),
      "get-user|Get user|GET|/users/{id}?expand={expand}",
    );
    assert.equal(
      text(
        `@(context.Deployment.ServiceName + "|" + context.Deployment.Region + "|" + context.Deployment.GatewayId + "|" + context.Deployment.Gateway.IsManaged)`,
      ),
      "gatehouse|local|managed|True",
    );
  });

  it("gives the request id, timing and tracing", () => {
    assert.equal(text(`@(context.RequestId)`), "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13");
    assert.equal(
      evaluate(`@(context.Elapsed.TotalMilliseconds >= 0 && context.Elapsed < TimeSpan.FromMinutes(1))`),
      true,
    );
    assert.equal(
      evaluate(`@(context.Timestamp <= DateTime.UtcNow && context.Timestamp > DateTime.UtcNow.AddMinutes(-1))`),
      true,
    );
    assert.equal(evaluate(`@(context.Tracing)`), false);
    const messages: string[] = [];
    const trace: TraceRecorder = {
      step: () => undefined,
      input: () => undefined,
      swapInputs: () => [],
      message: (source, severity, message) => messages.push(`${source}/${severity}: ${message}`),
    };
    const traced = { context: (c: PipelineContext) => Object.assign(c, { trace }) };
    assert.equal(
      evaluate(`@{ context.Trace("checked " + context.Request.Method); return context.Tracing; }`, traced),
      true,
    );
    assert.deepEqual(messages, ["context.Trace/information: checked GET"]);
  });

  it("has no product, subscription, user or last error unless the request does", () => {
    assert.equal(
      evaluate(
        `@(context.Product == null && context.Subscription == null && context.User == null && context.LastError == null)`,
      ),
      true,
    );
  });

  it("describes the subscription", () => {
    const setup = { context: (c: PipelineContext) => Object.assign(c, { subscription: SUBSCRIPTION }) };
    assert.equal(
      text(
        `@(string.Join("|", context.Subscription.Id, context.Subscription.Name, context.Subscription.Key, context.Subscription.PrimaryKey, context.Subscription.SecondaryKey))`,
        setup,
      ),
      "sub-1|Contoso mobile|secondary-key|primary-key|secondary-key",
    );
    assert.equal(text(`@(context.Subscription.CreatedDate.ToString("o"))`, setup), "2024-05-01T10:00:00.0000000Z");
    assert.equal(
      text(`@(context.Subscription.StartDate.HasValue + "|" + context.Subscription.EndDate.Value.Year)`, setup),
      "False|2030",
    );
  });

  it("describes the product", () => {
    const product = {
      name: "starter",
      displayName: "Starter",
      description: null,
      terms: null,
      state: "published" as const,
      subscriptionRequired: true,
      approvalRequired: false,
      subscriptionsLimit: null,
      apis: ["echo", "other"],
      groups: [],
    };
    const setup = { context: (c: PipelineContext) => Object.assign(c, { product }) };
    assert.equal(
      text(
        `@(context.Product.Id + "|" + context.Product.State + "|" + context.Product.SubscriptionRequired + "|" + (context.Product.SubscriptionLimit ?? -1))`,
        setup,
      ),
      "starter|Published|True|-1",
    );
    assert.equal(
      text(`@(string.Join(",", context.Product.Apis.Select(a => a.Id)) + "|" + context.Product.Groups.Count())`, setup),
      "echo,other|0",
    );
    assert.equal(evaluate(`@(context.Product.State == ProductState.Published)`, setup), true);
  });

  it("reads request headers case-insensitively, comma-joining repeated ones", () => {
    const setup = {
      context: (c: PipelineContext) => {
        c.request.headers.append("X-Multi", "a");
        c.request.headers.append("x-multi", "b");
        c.request.headers.set("Accept", ["application/json"]);
      },
    };
    assert.equal(text(`@(context.Request.Headers.GetValueOrDefault("x-MULTI", "none"))`, setup), "a,b");
    assert.equal(text(`@(context.Request.Headers.GetValueOrDefault("absent", "none"))`, setup), "none");
    assert.equal(evaluate(`@(context.Request.Headers.GetValueOrDefault("absent"))`, setup), null);
    assert.equal(text(`@(context.Request.Headers["accept"][0])`, setup), "application/json");
    assert.equal(text(`@(context.Request.Headers["X-Multi"].Length)`, setup), "2");
    assert.equal(evaluate(`@(context.Request.Headers.ContainsKey("ACCEPT"))`, setup), true);
    assert.equal(text(`@(string.Join(",", context.Request.Headers.Keys))`, setup), "X-Multi,Accept");
    assert.equal(text(`@(context.Request.Headers.Count)`, setup), "2");
    assert.match(
      evaluationError(`@(context.Request.Headers["absent"])`, setup),
      /The given key 'absent' was not present in the dictionary\./,
    );
  });

  it("reads the URL as it will be forwarded and as it arrived", () => {
    const setup = {
      request: { path: "/users/5", query: "expand=all&tag=a&tag=b" },
      context: (c: PipelineContext) => {
        c.backend.baseUrl = "https://backend.example:8443/v2/";
        c.request.path = "/members/5";
        c.request.query.set("added", "1");
      },
    };
    assert.equal(
      text(`@(context.Request.Url.ToString())`, setup),
      "https://backend.example:8443/v2/members/5?expand=all&tag=a&tag=b&added=1",
    );
    assert.equal(
      text(
        `@(context.Request.Url.Scheme + "|" + context.Request.Url.Host + "|" + context.Request.Url.Port + "|" + context.Request.Url.Path)`,
        setup,
      ),
      "https|backend.example|8443|/v2/members/5",
    );
    assert.equal(text(`@(context.Request.Url.QueryString)`, setup), "?expand=all&tag=a&tag=b&added=1");
    assert.equal(text(`@(context.Request.Url.Query.GetValueOrDefault("tag", ""))`, setup), "a,b");
    assert.equal(text(`@(context.Request.Url.Query["tag"][1])`, setup), "b");
    assert.equal(
      text(`@(context.Request.OriginalUrl.ToString())`, setup),
      "http://127.0.0.1:8080/echo/users/5?expand=all&tag=a&tag=b",
    );
    assert.equal(
      text(`@(context.Request.OriginalUrl.Port + context.Request.OriginalUrl.Path)`, setup),
      "8080/echo/users/5",
    );
    assert.equal(text(`@(context.Request.MatchedParameters["id"])`, setup), "5");
    assert.equal(text(`@(context.Request.Method + context.Request.OriginalMethod)`), "GETGET");
  });

  it("reads bodies as text, bytes, JSON and forms, consuming them unless preserved", () => {
    const context = contextFor({ request: { method: "POST" } });
    context.request.body = Buffer.from(`{"a":[1,2]}`);
    const preserve = compile(`@(context.Request.Body.As<string>(preserveContent: true))`);
    assert.deepEqual(preserve.readsBody, { request: true, response: false });
    assert.equal(preserve.evaluate(context), `{"a":[1,2]}`);
    assert.equal(compile(`@(context.Request.Body.As<JObject>(true)["a"].Count())`).evaluate(context), 2);
    assert.equal(compile(`@(context.Request.Body.As<byte[]>(preserveContent: true).Length)`).evaluate(context), 11);
    assert.equal(compile(`@(context.Request.Body.As<JToken>()["a"][1].ToString())`).evaluate(context), "2");
    // Read without preserveContent: the body is gone.
    assert.equal(context.request.body, "");
    assert.equal(compile(`@(context.Request.Body.As<string>())`).evaluate(context), "");

    context.request.body = "name=Ann+B&tag=x&tag=y";
    assert.equal(
      compile(`@(context.Request.Body.AsFormUrlEncodedContent(true).GetValueOrDefault("tag", ""))`).evaluate(context),
      "x,y",
    );
    assert.equal(compile(`@(context.Request.Body.AsFormUrlEncodedContent()["name"][0])`).evaluate(context), "Ann B");
    assert.equal(compile(`@(context.Request.Body == null)`).evaluate(contextFor()), true);
  });

  it("reads the response, an empty 200 before there is one", () => {
    assert.equal(
      text(
        `@(context.Response.StatusCode + " " + context.Response.StatusReason + " " + context.Response.Headers.Count)`,
      ),
      "200 OK 0",
    );
    const compiled = compile(
      `@(context.Response.Body.As<JObject>()["total"].Value<int>() + context.Response.Headers.GetValueOrDefault("X-Page", "0").Length)`,
    );
    assert.deepEqual(compiled.readsBody, { request: false, response: true });
    const context = contextFor();
    const headers = new HeaderMap();
    headers.set("X-Page", ["12"]);
    context.response = { statusCode: 201, statusReason: "Created", headers, body: `{"total":40}` };
    assert.equal(compiled.evaluate(context), 42);
    assert.equal(context.response.body, "");
  });

  it("treats a response stored in a variable as an IResponse", () => {
    const headers = new HeaderMap();
    headers.set("Content-Type", ["application/json"]);
    const setup = {
      context: (c: PipelineContext) =>
        c.variables.set("r", { statusCode: 200, statusReason: "OK", headers, body: Buffer.from(`{"token":"abc"}`) }),
    };
    assert.equal(text(`@((string)((IResponse)context.Variables["r"]).Body.As<JObject>()["token"])`, setup), "abc");
    assert.equal(text(`@(((IResponse)context.Variables["r"]).StatusCode)`, setup), "200");
    assert.equal(
      text(
        `@(context.Variables.GetValueOrDefault<IResponse>("r").Headers.GetValueOrDefault("content-type", ""))`,
        setup,
      ),
      "application/json",
    );
    assert.match(
      evaluationError(`@((IResponse)context.Variables["s"])`, { context: (c) => c.variables.set("s", "text") }),
      /Unable to cast object of type 'System\.String' to type 'IResponse'\./,
    );
  });

  it("reads variables with APIM's typed GetValueOrDefault", () => {
    const setup = {
      context: (c: PipelineContext) => {
        c.variables.set("count", 3);
        c.variables.set("name", "ann");
        c.variables.set("flag", true);
      },
    };
    assert.equal(evaluate(`@(context.Variables.GetValueOrDefault<int>("count") + 1)`, setup), 4);
    assert.equal(evaluate(`@(context.Variables.GetValueOrDefault<int>("missing", 9))`, setup), 9);
    assert.equal(evaluate(`@(context.Variables.GetValueOrDefault<int>("missing"))`, setup), 0);
    assert.equal(evaluate(`@(context.Variables.GetValueOrDefault<string>("missing"))`, setup), null);
    assert.equal(evaluate(`@(context.Variables.GetValueOrDefault("name"))`, setup), "ann");
    assert.equal(evaluate(`@(context.Variables.GetValueOrDefault("missing", "fallback"))`, setup), "fallback");
    assert.equal(evaluate(`@((bool)context.Variables["flag"] && context.Variables.ContainsKey("count"))`, setup), true);
    assert.equal(evaluate(`@(context.Variables.Count)`, setup), 3);
    assert.match(
      evaluationError(`@(context.Variables.GetValueOrDefault<bool>("name"))`, setup),
      /Unable to cast object of type 'System\.String' to type 'System\.Boolean'\./,
    );
    // Members of a variable of type object resolve at run time.
    assert.equal(evaluate(`@(context.Variables["name"].ToString().ToUpper())`, setup), "ANN");
  });

  it("decodes JWTs and basic credentials", () => {
    const setup = { request: { headers: { Authorization: `Bearer ${TOKEN}` } } };
    const jwt = `context.Request.Headers.GetValueOrDefault("Authorization", "").Split(' ').Last().AsJwt()`;
    assert.equal(
      text(`@(${jwt}.Subject + "|" + ${jwt}.Issuer + "|" + ${jwt}.Algorithm + "|" + ${jwt}.Type)`, setup),
      "alice|https://issuer|RS256|JWT",
    );
    assert.equal(text(`@(string.Join(",", ${jwt}.Audiences))`, setup), "api://a,api://b");
    assert.equal(text(`@(${jwt}.Claims.GetValueOrDefault("roles", ""))`, setup), "reader,writer");
    assert.equal(text(`@(${jwt}.Claims["roles"].Contains("writer"))`, setup), "True");
    assert.equal(text(`@(${jwt}.ExpirationTime.Value.ToString("s"))`, setup), "2030-01-01T00:00:00");
    assert.equal(text(`@(${jwt}?.Id ?? "no jti")`, setup), "no jti");
    assert.equal(evaluate(`@("not a token".AsJwt() == null)`), true);
    assert.equal(text(`@("x".TryParseJwt(out var parsed) ? "yes" : "no")`), "no");
    const stored = {
      context: (c: PipelineContext) => c.variables.set("jwt", new Jwt({ alg: "RS256" }, { tid: "contoso" })),
    };
    assert.equal(
      text(`@{ var j = (Jwt)context.Variables["jwt"]; return j.Claims.GetValueOrDefault("tid", "?"); }`, stored),
      "contoso",
    );
    // A Jwt held as object: members resolve at run time, and `is` and typed reads recognise it.
    assert.equal(text(`@(context.Variables["jwt"].Algorithm)`, stored), "RS256");
    assert.equal(
      text(`@(context.Variables["jwt"] is Jwt && context.Variables.GetValueOrDefault<Jwt>("jwt") != null)`, stored),
      "True",
    );

    const basic = { request: { headers: { Authorization: `Basic ${Buffer.from("ann:s3:cret").toString("base64")}` } } };
    assert.equal(
      text(
        `@{ var c = context.Request.Headers.GetValueOrDefault("Authorization", "").AsBasic(); return c.UserId + "/" + c.Password; }`,
        basic,
      ),
      "ann/s3:cret",
    );
    assert.equal(
      text(
        `@(context.Request.Headers.GetValueOrDefault("Authorization", "").TryParseBasic(out var creds) ? creds.UserId : "none")`,
        basic,
      ),
      "ann",
    );
  });
});
