/** A traced request's record of the policies nested in containers (choose branches, return-response's children). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import { RequestTrace, type TraceDocument } from "../../src/gateway/tracing/recorder.js";
import { API, harness, pipelineOf, policies } from "../gateway-policy/helpers.js";

async function traced(inbound: string, headers: Record<string, string> = {}): Promise<TraceDocument> {
  const { context } = harness({ headers });
  const trace = new RequestTrace(context.requestId, context.startedAt, "header", API, context.request);
  context.trace = trace;
  await executePipeline(pipelineOf({ global: DEFAULT_GLOBAL_POLICY, api: policies({ inbound }) }), context);
  assert.ok(context.response);
  return trace.finish(context, context.response);
}

const CHOOSE = `<base/>
  <set-variable name="tier" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tier&quot;, &quot;free&quot;))" />
  <choose>
    <when condition="@((string)context.Variables[&quot;tier&quot;] == &quot;gold&quot;)">
      <set-header name="X-Lane" exists-action="override"><value>@(&quot;fast-&quot; + context.Variables[&quot;tier&quot;])</value></set-header>
    </when>
    <otherwise>
      <return-response>
        <set-status code="402" reason="Payment Required" />
        <set-header name="X-Tier" exists-action="override"><value>@((string)context.Variables[&quot;tier&quot;])</value></set-header>
      </return-response>
    </otherwise>
  </choose>`;

describe("tracing nested policies", () => {
  it("records each nested step under its container's path, in the order they started, with its own inputs", async () => {
    const gold = await traced(CHOOSE, { "X-Tier": "gold" });
    assert.deepEqual(
      gold.steps.map((s) => [s.path, s.scope, s.outcome, s.inputs]),
      [
        ["inbound/set-variable[1]", "api", "ok", [{ name: "set-variable value", value: "gold" }]],
        ["inbound/choose[1]", "api", "ok", [{ name: "when condition", value: "True" }]],
        ["inbound/choose[1]/when[1]/set-header[1]", "api", "ok", [{ name: "set-header value", value: "fast-gold" }]],
        ["backend/forward-request[1]", "global", "ok", undefined],
      ],
    );
  });

  it("follows the branch that ran, into return-response's children", async () => {
    const free = await traced(CHOOSE);
    assert.deepEqual(
      free.steps.map((s) => [s.path, s.inputs?.map((i) => `${i.name}=${i.value}`)]),
      [
        ["inbound/set-variable[1]", ["set-variable value=free"]],
        ["inbound/choose[1]", ["when condition=False"]],
        ["inbound/choose[1]/otherwise/return-response[1]", undefined],
        ["inbound/choose[1]/otherwise/return-response[1]/set-status[1]", undefined],
        ["inbound/choose[1]/otherwise/return-response[1]/set-header[1]", ["set-header value=free"]],
      ],
    );
    assert.equal(free.response.status, 402);
  });

  it("marks the nested step that failed, and its containers, with the failure", async () => {
    const failing = await traced(`<base/><choose><when condition="true">
      <check-header name="X-Tenant" failed-check-httpcode="400" failed-check-error-message="Tenant required" ignore-case="true" />
    </when></choose>`);
    assert.deepEqual(
      failing.steps.map((s) => [s.path, s.outcome, s.error?.reason]),
      [
        ["inbound/choose[1]", "failed", "HeaderNotFound"],
        ["inbound/choose[1]/when[1]/check-header[1]", "failed", "HeaderNotFound"],
      ],
    );
  });
});
