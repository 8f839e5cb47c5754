/**
 * The policy engine's harness (test/gateway-policy/helpers.ts) with what counter and cache policies need besides: a
 * state of the test's own with a hand-moved clock, and requests made with a subscription key under a product.
 */
import type { PolicyScope } from "../../src/gateway/model/configuration.js";
import type { Product } from "../../src/gateway/model/products/types.js";
import type { PipelineContext, SubscriptionContext } from "../../src/gateway/pipeline/context.js";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import type { GatewayState } from "../../src/gateway/state/gateway-state.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import { effectivePipeline, type Pipeline } from "../../src/gateway/policy/pipeline.js";
import {
  harness,
  load,
  OPERATION_SCOPE,
  policyServices,
  type Harness,
  type TestRequest,
} from "../gateway-policy/helpers.js";

export const PRODUCT: Product = {
  name: "starter",
  displayName: "Starter",
  description: null,
  terms: null,
  state: "published",
  subscriptionRequired: true,
  approvalRequired: false,
  subscriptionsLimit: null,
  apis: ["echo"],
};

/** A product-scoped subscription that started `startedSecondsAgo` before `now`. */
export function subscription(name: string, now: number, startedSecondsAgo = 10): SubscriptionContext {
  return {
    name,
    displayName: name,
    scope: { kind: "product", product: PRODUCT.name },
    state: "active",
    allowTracing: false,
    createdDate: new Date(now - 86_400_000).toISOString(),
    startDate: new Date(now - startedSecondsAgo * 1000).toISOString(),
    expirationDate: null,
    key: `${name}-primary`,
    primaryKey: `${name}-primary`,
    secondaryKey: `${name}-secondary`,
  };
}

export interface Documents {
  global?: string;
  product?: string;
  api?: string;
  operation?: string;
}

export interface Caller extends TestRequest {
  subscription?: SubscriptionContext;
  /** The product the call is made under: PRODUCT with a subscription, none without. */
  product?: Product;
}

/** A gateway's worth of state and documents: every `call` runs the same pipeline against the same counters. */
export class Gateway {
  now = Date.UTC(2030, 0, 1, 12, 0, 0);
  readonly pipeline: Pipeline;

  constructor(
    documents: Documents,
    readonly state: GatewayState = new MemoryState({ clock: () => this.now }),
  ) {
    const services = { ...policyServices(), state };
    const loaded = (xml: string | undefined, scope: PolicyScope) =>
      xml === undefined ? undefined : load(xml, scope, { services });
    this.pipeline = effectivePipeline({
      global: loaded(documents.global, { kind: "global" }),
      product: loaded(documents.product, { kind: "product", product: PRODUCT.name }),
      api: loaded(documents.api, { kind: "api", api: "echo" }),
      operation: loaded(documents.operation, OPERATION_SCOPE),
    });
  }

  advance(seconds: number): void {
    this.now += seconds * 1000;
  }

  async call(caller: Caller = {}): Promise<Harness> {
    const h = harness(caller);
    const context: PipelineContext = {
      ...h.context,
      subscription: caller.subscription,
      product: caller.product ?? (caller.subscription ? PRODUCT : undefined),
    };
    await executePipeline(this.pipeline, context);
    return { ...h, context };
  }
}
