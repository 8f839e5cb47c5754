import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import type { Section } from "../../src/gateway/pipeline/context.js";
import type { Pipeline } from "../../src/gateway/policy/pipeline.js";
import { load, pipelineOf, policies } from "./helpers.js";

/** A set-header whose id names it. */
const h = (id: string) => `<set-header id="${id}" name="X-${id}"><value>1</value></set-header>`;

/** Each step as `scope:id:path`. */
const steps = (pipeline: Pipeline, section: Section) =>
  pipeline[section].map((s) => `${s.scope}:${s.step.id ?? s.step.policy}:${s.path}`);

const GLOBAL = policies({
  inbound: h("g1") + "<base/>" + h("g2"),
  backend: "<forward-request/>",
  outbound: h("g3"),
  onError: h("g4"),
});
const PRODUCT = policies({ inbound: h("p1") + "<base/>", backend: "<base/>", outbound: "<base/>", onError: "<base/>" });

describe("effective pipeline", () => {
  it("splices the broader section where <base/> stands, recursively, with scopes and XPath-like paths", () => {
    const pipeline = pipelineOf({
      global: GLOBAL,
      product: PRODUCT,
      api: policies({
        inbound: h("a1") + "<base/>" + h("a2"),
        backend: "<base/>",
        outbound: "<base/>" + h("a3"),
        onError: "<base/>",
      }),
      operation: policies({
        inbound: "<base/>" + h("o1"),
        backend: "<base/>",
        outbound: h("o2") + "<base/>",
        onError: "<base/>",
      }),
    });
    assert.deepEqual(steps(pipeline, "inbound"), [
      "api:a1:inbound/set-header[1]",
      "product:p1:inbound/set-header[1]",
      "global:g1:inbound/set-header[1]",
      "global:g2:inbound/set-header[2]",
      "api:a2:inbound/set-header[2]",
      "operation:o1:inbound/set-header[1]",
    ]);
    assert.deepEqual(steps(pipeline, "backend"), ["global:forward-request:backend/forward-request[1]"]);
    assert.deepEqual(steps(pipeline, "outbound"), [
      "operation:o2:outbound/set-header[1]",
      "global:g3:outbound/set-header[1]",
      "api:a3:outbound/set-header[1]",
    ]);
    assert.deepEqual(steps(pipeline, "on-error"), ["global:g4:on-error/set-header[1]"]);
  });

  it("drops everything broader from a section without <base/>; an absent section inherits", () => {
    const pipeline = pipelineOf({
      global: GLOBAL,
      product: PRODUCT,
      api: policies({ inbound: h("a1"), backend: "<base/>" }),
    });
    assert.deepEqual(steps(pipeline, "inbound"), ["api:a1:inbound/set-header[1]"]);
    assert.deepEqual(steps(pipeline, "backend"), ["global:forward-request:backend/forward-request[1]"]);
    assert.deepEqual(steps(pipeline, "outbound"), ["global:g3:outbound/set-header[1]"]);
    assert.deepEqual(steps(pipeline, "on-error"), ["global:g4:on-error/set-header[1]"]);
  });

  it("lets a scope without a document inherit everything broader", () => {
    const pipeline = pipelineOf({ global: GLOBAL, operation: policies({ inbound: h("o1") + "<base/>" }) });
    assert.deepEqual(steps(pipeline, "inbound"), [
      "operation:o1:inbound/set-header[1]",
      "global:g1:inbound/set-header[1]",
      "global:g2:inbound/set-header[2]",
    ]);
    const inherited = pipelineOf({ global: GLOBAL });
    assert.deepEqual(steps(inherited, "outbound"), ["global:g3:outbound/set-header[1]"]);
    assert.deepEqual(steps(inherited, "on-error"), ["global:g4:on-error/set-header[1]"]);
  });

  it("goes from the API straight to global when there is no product context", () => {
    const api = policies({ inbound: "<base/>" + h("a1"), backend: "<base/>" });
    assert.deepEqual(steps(pipelineOf({ global: GLOBAL, api }), "inbound"), [
      "global:g1:inbound/set-header[1]",
      "global:g2:inbound/set-header[2]",
      "api:a1:inbound/set-header[1]",
    ]);
    assert.deepEqual(steps(pipelineOf({ global: GLOBAL, product: PRODUCT, api }), "inbound"), [
      "product:p1:inbound/set-header[1]",
      "global:g1:inbound/set-header[1]",
      "global:g2:inbound/set-header[2]",
      "api:a1:inbound/set-header[1]",
    ]);
  });

  it("inherits nothing without a global document: callers pass the compiled default global policy", () => {
    const api = policies({ inbound: "<base/>" + h("a1"), backend: "<base/>" });
    assert.deepEqual(steps(pipelineOf({ api }), "backend"), []);
    const withDefault = pipelineOf({ global: DEFAULT_GLOBAL_POLICY, api });
    assert.deepEqual(steps(withDefault, "inbound"), ["api:a1:inbound/set-header[1]"]);
    assert.deepEqual(steps(withDefault, "backend"), ["global:forward-request:backend/forward-request[1]"]);
    assert.equal(load(DEFAULT_GLOBAL_POLICY, { kind: "global" }).sections.backend.length, 1);
  });

  it("treats <base/> at global scope as a no-op", () => {
    const pipeline = pipelineOf({ global: policies({ inbound: h("g1") + "<base/>" + h("g2") }) });
    assert.deepEqual(steps(pipeline, "inbound"), [
      "global:g1:inbound/set-header[1]",
      "global:g2:inbound/set-header[2]",
    ]);
  });
});
