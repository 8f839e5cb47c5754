import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import type { TraceSeverity } from "../../src/gateway/pipeline/trace.js";
import { CustomMetrics } from "../../src/observability/custom-metrics.js";
import { harness, loadError, pipelineOf, policies, run } from "./helpers.js";

interface Message {
  source: string;
  severity: TraceSeverity;
  message: string;
  metadata: Readonly<Record<string, string>> | undefined;
}

async function traced(api: string) {
  const h = harness();
  const messages: Message[] = [];
  const steps: string[] = [];
  h.context.trace = {
    step: (entry) => void steps.push(`${entry.section}/${entry.policy}:${entry.outcome}`),
    input: () => undefined,
    swapInputs: () => [],
    message: (source, severity, message, metadata) => void messages.push({ source, severity, message, metadata }),
  };
  await executePipeline(pipelineOf({ api }), h.context);
  return { ...h, messages, steps };
}

describe("trace", () => {
  it("adds its message and metadata to a traced request's trace, in any section", async () => {
    const { messages, steps } = await traced(
      policies({
        inbound: `<trace source="Orders API" severity="information"><message>checking order</message><metadata name="Operation Name" value="New-Order"/></trace>`,
        backend: "<forward-request/>",
        outbound: `<trace source="Orders API"><message>done</message></trace>`,
      }),
    );
    assert.deepEqual(messages, [
      {
        source: "Orders API",
        severity: "information",
        message: "checking order",
        metadata: { "Operation Name": "New-Order" },
      },
      { source: "Orders API", severity: "verbose", message: "done", metadata: undefined },
    ]);
    assert.deepEqual(steps, ["inbound/trace:ok", "backend/forward-request:ok", "outbound/trace:ok"]);
  });

  it("does nothing for an untraced request", async () => {
    const { context } = await run({
      api: policies({
        inbound: `<trace source="s"><message>@(context.Variables["missing"].ToString())</message></trace>`,
      }),
    });
    assert.equal(context.lastError, undefined, "the expression is never evaluated");
  });

  it("evaluates expressions in the message when traced", async () => {
    const { messages } = await traced(
      policies({
        inbound: `<trace source="s"><message>@("id " + context.Request.MatchedParameters["id"])</message></trace>`,
      }),
    );
    assert.equal(messages[0]?.message, "id 5");
  });

  it("refuses a trace without a source or a message, or with an unknown severity", () => {
    assert.match(
      loadError(policies({ inbound: `<trace><message>m</message></trace>` })),
      /^Attribute 'source' is required/,
    );
    assert.match(loadError(policies({ inbound: `<trace source="s"/>` })), /^Policy 'trace' needs a 'message' element/);
    assert.match(
      loadError(policies({ inbound: `<trace source="s" severity="debug"><message>m</message></trace>` })),
      /^Attribute 'severity' must be one of 'verbose', 'information', 'error'/,
    );
  });
});

describe("emit-metric", () => {
  it("emits the value with its dimensions, filling APIM's default dimensions from the request", async () => {
    const { metrics } = await run({
      api: policies({
        inbound: `<emit-metric name="Request" value="2.5" namespace="my-metrics">
          <dimension name="API ID"/><dimension name="Operation ID"/><dimension name="Subscription ID"/>
          <dimension name="Location"/><dimension name="Gateway ID"/><dimension name="Tier" value="gold"/>
        </emit-metric>
        <emit-metric name="Calls"/>`,
      }),
    });
    assert.deepEqual(metrics, [
      {
        namespace: "my-metrics",
        name: "Request",
        value: 2.5,
        dimensions: [
          ["API ID", "echo"],
          ["Operation ID", "get-user"],
          ["Subscription ID", ""],
          ["Location", "local"],
          ["Gateway ID", "managed"],
          ["Tier", "gold"],
        ],
      },
      { namespace: "API Management", name: "Calls", value: 1, dimensions: [] },
    ]);
  });

  it("takes its value and dimension values from expressions", async () => {
    const { metrics, context } = await run({
      api: policies({
        inbound: `<emit-metric name="Items" value="@(context.Request.MatchedParameters[&quot;id&quot;])"><dimension name="Client IP" value="@(context.Request.IpAddress)"/></emit-metric>`,
      }),
    });
    assert.equal(context.lastError, undefined, context.lastError?.message);
    assert.deepEqual(metrics[0]?.dimensions, [["Client IP", "127.0.0.1"]]);
    assert.equal(metrics[0]?.value, 5);
  });

  it("refuses at load a dimension without a value that is not a default one, too many dimensions, a bad value", () => {
    const emit = (inner: string, attributes = "") =>
      policies({ inbound: `<emit-metric name="m" ${attributes}>${inner}</emit-metric>` });
    assert.match(loadError(emit(`<dimension name="Client IP"/>`)), /^Dimension 'Client IP' needs a value/);
    const eleven = Array.from({ length: 11 }, (_, i) => `<dimension name="d${i}" value="v"/>`).join("");
    assert.match(loadError(emit(eleven)), /^At most 10 dimensions are allowed/);
    assert.match(
      loadError(emit(`<dimension name="a" value="1"/><dimension name="A" value="2"/>`)),
      /^Dimension 'A' appears more than once/,
    );
    assert.match(loadError(emit("", 'value="many"')), /^Attribute 'value' must be a number, not 'many'/);
    assert.match(loadError(policies({ inbound: `<emit-metric/>` })), /^Attribute 'name' is required/);
  });
});

describe("custom metrics on /metrics", () => {
  it("sums values per label set, one counter family per metric name, labels sanitised", async () => {
    const registry = new Registry();
    const custom = new CustomMetrics(registry);
    custom.add({ namespace: "shop", name: "Orders placed", value: 2, dimensions: [["API ID", "orders"]] });
    custom.add({ namespace: "shop", name: "Orders placed", value: 3, dimensions: [["API ID", "orders"]] });
    custom.add({
      namespace: "shop",
      name: "Orders placed",
      value: 1,
      dimensions: [
        ["API ID", "orders"],
        ["Region", "eu"],
      ],
    });
    custom.add({ namespace: "shop", name: "Orders placed", value: -1, dimensions: [] });
    const text = await registry.metrics();
    assert.match(text, /# TYPE gatehouse_custom_orders_placed_total counter/);
    assert.match(text, /gatehouse_custom_orders_placed_total\{namespace="shop",api_id="orders"\} 5/);
    assert.match(text, /gatehouse_custom_orders_placed_total\{namespace="shop",api_id="orders",region="eu"\} 1/);
    assert.match(text, /gatehouse_custom_metrics_dropped_total\{reason="value"\} 1/);
  });

  it("bounds the label sets of a metric", async () => {
    const registry = new Registry();
    const custom = new CustomMetrics(registry);
    for (let i = 0; i < 1005; i++) custom.add({ namespace: "n", name: "m", value: 1, dimensions: [["id", String(i)]] });
    const text = await registry.metrics();
    assert.equal(text.split("\n").filter((line) => line.startsWith("gatehouse_custom_m_total{")).length, 1000);
    assert.match(text, /gatehouse_custom_metrics_dropped_total\{reason="series"\} 5/);
  });
});
