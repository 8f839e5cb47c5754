import type { GatewayRegistry } from "../../gateway/registry.js";
import type { Mount } from "../openapi.js";
import { ARM_PREFIX, SHORT_PREFIX } from "./arm.js";
import { armDialect } from "./dialect.js";
import { apiOperations } from "./resources/apis.js";
import { backendOperations } from "./resources/backends.js";
import { namedValueOperations } from "./resources/named-values.js";
import { policyOperations } from "./resources/policies.js";
import { productOperations } from "./resources/products.js";
import { subscriptionOperations } from "./resources/subscriptions.js";
import { tracingOperations, type TraceAdmin } from "./resources/traces.js";

/** The gateway's configuration as API Management's management resources, at the ARM prefix and at `/gateway`. */
export function apimMount(gateway: GatewayRegistry, tracing: TraceAdmin): Mount {
  return {
    prefixes: [ARM_PREFIX, SHORT_PREFIX],
    scoped: false,
    dialect: armDialect,
    operations: [
      ...apiOperations(gateway),
      ...policyOperations(gateway),
      ...productOperations(gateway),
      ...subscriptionOperations(gateway),
      ...namedValueOperations(gateway),
      ...backendOperations(gateway),
      ...tracingOperations(tracing, gateway),
    ],
  };
}
