import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import { gatewayError } from "../../src/gateway/pipeline/gateway-error.js";
import { PolicyFailure, type Step } from "../../src/gateway/policy/definition.js";
import type { Pipeline } from "../../src/gateway/policy/pipeline.js";
import { backendResponse, harness, headersOf, pipelineOf, policies, run } from "./helpers.js";

const CHECK_KEY = `<check-header id="key-check" name="X-Key" failed-check-httpcode="401" failed-check-error-message="Not authorized" ignore-case="false"><value>k1</value><value>k2</value></check-header>`;

describe("gateway error responses", () => {
  it("have APIM's envelope, spacing, content type and reason phrase", () => {
    const error = gatewayError(401, "JWT not present.");
    assert.equal(error.statusCode, 401);
    assert.equal(error.statusReason, "Unauthorized");
    assert.equal(error.body, `{ "statusCode": 401, "message": "JWT not present." }`);
    assert.deepEqual(headersOf(error), { "Content-Type": ["application/json"] });
  });

  it("carry an activityId, extra headers and a custom reason phrase when asked", () => {
    const error = gatewayError(500, "Internal server error", {
      activityId: "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13",
      headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
      reason: "Access Denied",
    });
    assert.equal(
      error.body,
      `{ "statusCode": 500, "message": "Internal server error", "activityId": "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13" }`,
    );
    assert.equal(error.statusReason, "Access Denied");
    assert.deepEqual(headersOf(error), {
      "Content-Type": ["application/json"],
      "WWW-Authenticate": ['Bearer error="invalid_token"'],
    });
  });

  it("escape the message as JSON", () => {
    const error = gatewayError(403, 'He said "no"\\\n\u0001 — ok');
    assert.equal(error.body, `{ "statusCode": 403, "message": "He said \\"no\\"\\\\\\n\\u0001 — ok" }`);
    assert.deepEqual(JSON.parse(error.body as string), { statusCode: 403, message: 'He said "no"\\\n\u0001 — ok' });
  });
});

describe("executing a pipeline", () => {
  it("runs the default global policy: forwards with APIM's default options and keeps the backend's response", async () => {
    const { context, forwarded, rejections } = await run({ global: DEFAULT_GLOBAL_POLICY });
    assert.equal(forwarded.length, 1);
    assert.deepEqual(forwarded[0]?.options, {
      timeoutMs: 300_000,
      followRedirects: false,
      bufferResponse: true,
      failOnErrorStatusCode: false,
    });
    assert.equal(context.response?.statusCode, 200);
    assert.equal(context.response?.body, "from backend");
    assert.equal(context.section, "outbound");
    assert.equal(context.lastError, undefined);
    assert.deepEqual(rejections, []);
  });

  it("runs inbound on the request, then the backend, then outbound on the response", async () => {
    const { context, forwarded } = await run({
      global: DEFAULT_GLOBAL_POLICY,
      api: policies({
        inbound: `<base/><set-header name="X-Inbound"><value>in</value></set-header>`,
        backend: `<base/>`,
        outbound: `<base/><set-header name="X-Outbound"><value>out</value></set-header><set-header name="X-Powered-By" exists-action="delete"/>`,
      }),
    });
    assert.deepEqual(forwarded[0]?.headers, [["X-Inbound", ["in"]]]);
    assert.deepEqual(headersOf(context.response), { "Content-Type": ["text/plain"], "X-Outbound": ["out"] });
  });

  it("answers 200 with no body when no forward-request ran, and runs outbound right after", async () => {
    const { context, forwarded } = await run({
      api: policies({
        inbound: `<set-header name="X-In"><value>1</value></set-header>`,
        outbound: `<set-header name="X-Out"><value>2</value></set-header>`,
      }),
    });
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 200);
    assert.equal(context.response?.statusReason, "OK");
    assert.equal(context.response?.body, undefined);
    assert.deepEqual(headersOf(context.response), { "X-Out": ["2"] });
  });

  it("keeps the status a policy set when no backend is called", async () => {
    const { context } = await run({
      api: policies({
        inbound: `<set-status code="202" reason="Accepted Later"/>`,
        outbound: `<set-body>queued</set-body>`,
      }),
    });
    assert.equal(context.response?.statusCode, 202);
    assert.equal(context.response?.statusReason, "Accepted Later");
    assert.equal(context.response?.body, "queued");
  });

  it("on a policy failure: skips the rest, sets LastError, counts the rejection and answers with the failure", async () => {
    const { context, forwarded, rejections } = await run({
      global: DEFAULT_GLOBAL_POLICY,
      api: policies({
        inbound: `<base/><set-header name="X-A"><value>1</value></set-header>${CHECK_KEY}`,
        backend: "<base/>",
        outbound: `<set-header name="X-Outbound"><value>1</value></set-header>`,
      }),
    });
    assert.equal(forwarded.length, 0);
    assert.deepEqual(context.lastError, {
      source: "check-header",
      reason: "HeaderNotFound",
      message: "Header X-Key was not found in the request. Access denied.",
      scope: "api",
      section: "inbound",
      path: "inbound/check-header[1]",
      policyId: "key-check",
    });
    assert.deepEqual(rejections, [["check-header", "HeaderNotFound"]]);
    assert.equal(context.response?.statusCode, 401);
    assert.equal(context.response?.body, `{ "statusCode": 401, "message": "Not authorized" }`);
    assert.deepEqual(headersOf(context.response), { "Content-Type": ["application/json"] });
    assert.equal(context.section, "on-error");
    assert.equal(context.ended, false);
  });

  it("runs on-error, whose policies change the failure response", async () => {
    const { context } = await run({
      api: policies({
        inbound: CHECK_KEY,
        onError: `<set-header name="X-Failed"><value>yes</value></set-header><set-status code="403" reason="Forbidden"/>`,
      }),
    });
    assert.equal(context.response?.statusCode, 403);
    assert.equal(context.response?.statusReason, "Forbidden");
    assert.equal(context.response?.body, `{ "statusCode": 401, "message": "Not authorized" }`);
    assert.deepEqual(headersOf(context.response), { "Content-Type": ["application/json"], "X-Failed": ["yes"] });
  });

  it("lets return-response in on-error replace the answer and end there", async () => {
    const { context } = await run({
      api: policies({
        inbound: CHECK_KEY,
        onError: `<return-response><set-status code="418" reason="Teapot"/><set-body>short and stout</set-body></return-response><set-header name="X-After"><value>1</value></set-header>`,
      }),
    });
    assert.equal(context.response?.statusCode, 418);
    assert.equal(context.response?.body, "short and stout");
    assert.deepEqual(headersOf(context.response), {});
    assert.equal(context.ended, true);
    assert.equal(context.lastError?.reason, "HeaderNotFound");
  });

  it("turns any other error into a 500 with an activityId and no detail for the client", async () => {
    const { context, rejections } = await run(
      { global: DEFAULT_GLOBAL_POLICY },
      {
        backend: () => {
          throw new TypeError("Cannot read properties of undefined (reading 'secret-detail')");
        },
      },
    );
    assert.equal(context.response?.statusCode, 500);
    assert.equal(
      context.response?.body,
      `{ "statusCode": 500, "message": "Internal server error", "activityId": "${context.requestId}" }`,
    );
    assert.deepEqual(context.lastError, {
      source: "forward-request",
      reason: "Unknown",
      message: "Cannot read properties of undefined (reading 'secret-detail')",
      scope: "global",
      section: "backend",
      path: "backend/forward-request[1]",
      policyId: undefined,
    });
    assert.deepEqual(rejections, [["forward-request", "Unknown"]]);
  });

  it("keeps a thrown PolicyFailure's status, message, headers and reason", async () => {
    const { context } = await run(
      { global: DEFAULT_GLOBAL_POLICY },
      {
        backend: () => {
          throw new PolicyFailure(
            500,
            "Internal server error",
            "forward-request",
            "BackendConnectionFailure",
            "connect ECONNREFUSED 127.0.0.1:9",
            { "Retry-After": "5" },
            true,
          );
        },
      },
    );
    assert.equal(context.lastError?.reason, "BackendConnectionFailure");
    assert.equal(context.lastError?.message, "connect ECONNREFUSED 127.0.0.1:9");
    assert.equal(
      context.response?.body,
      `{ "statusCode": 500, "message": "Internal server error", "activityId": "${context.requestId}" }`,
    );
    assert.deepEqual(headersOf(context.response), { "Content-Type": ["application/json"], "Retry-After": ["5"] });
  });

  it("stops on-error at its first failure and answers with the original failure", async () => {
    const step = (policy: string, run: Step["run"]) => ({
      step: { policy, id: undefined, run },
      scope: "api" as const,
      path: `x/${policy}[1]`,
    });
    let afterRan = false;
    const pipeline: Pipeline = {
      inbound: [
        step("fails", () => {
          throw new PolicyFailure(
            429,
            "Rate limit is exceeded. Try again in 5 seconds.",
            "rate-limit",
            "RateLimitExceeded",
            "limit",
          );
        }),
      ],
      backend: [],
      outbound: [],
      "on-error": [
        step("changes", (context) => {
          if (context.response) context.response.statusCode = 299;
        }),
        step("breaks", () => Promise.reject(new Error("on-error defect"))),
        step("after", () => {
          afterRan = true;
        }),
      ],
    };
    const { context } = harness();
    await executePipeline(pipeline, context);
    assert.equal(afterRan, false);
    assert.equal(context.response?.statusCode, 429);
    assert.equal(
      context.response?.body,
      `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds." }`,
    );
    assert.equal(context.lastError?.source, "rate-limit");
    assert.equal(context.lastError?.path, "x/fails[1]");
  });

  it("ends at return-response: outbound and the backend are skipped", async () => {
    const { context, forwarded } = await run({
      global: DEFAULT_GLOBAL_POLICY,
      api: policies({
        inbound: `<return-response><set-status code="401" reason="Unauthorized"/><set-header name="WWW-Authenticate" exists-action="override"><value>Bearer error="invalid_token"</value></set-header><set-body>{"error":"invalid_token"}</set-body></return-response><set-header name="X-Never"><value>1</value></set-header>`,
        backend: "<base/>",
        outbound: `<set-header name="X-Outbound"><value>1</value></set-header>`,
      }),
    });
    assert.equal(forwarded.length, 0);
    assert.equal(context.ended, true);
    assert.equal(context.section, "inbound");
    assert.equal(context.response?.statusCode, 401);
    assert.equal(context.response?.statusReason, "Unauthorized");
    assert.equal(context.response?.body, `{"error":"invalid_token"}`);
    assert.deepEqual(headersOf(context.response), { "WWW-Authenticate": ['Bearer error="invalid_token"'] });
    assert.equal(context.request.headers.has("X-Never"), false);
  });

  it("runs steps without I/O synchronously: return-response with its children returns no promise", () => {
    const pipeline = pipelineOf({
      api: policies({ inbound: `<return-response><set-status code="204" reason="No Content"/></return-response>` }),
    });
    const { context } = harness();
    const step = pipeline.inbound[0]?.step;
    assert.equal(step?.run(context), undefined);
    assert.equal(context.response?.statusCode, 204);
    assert.equal(context.ended, true);
  });

  it("keeps the backend's response when its failure status is only relayed", async () => {
    const { context } = await run({ global: DEFAULT_GLOBAL_POLICY }, { backend: () => backendResponse(503, "busy") });
    assert.equal(context.response?.statusCode, 503);
    assert.equal(context.response?.body, "busy");
    assert.equal(context.lastError, undefined);
  });
});
