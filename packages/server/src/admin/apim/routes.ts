import { ENTITIES } from "../../gateway/model/entities.js";
import type { GatewayRegistry } from "../../gateway/model/registry.js";
import type { Mount } from "../openapi.js";
import { ARM_PREFIX, SHORT_PREFIX } from "./arm.js";
import { armDialect } from "./dialect.js";
import { tracingOperations, type TraceAdmin } from "./resources/traces.js";

/** The gateway's configuration as API Management's management resources, at the ARM prefix and at `/gateway`. */
export function apimMount(gateway: GatewayRegistry, tracing: TraceAdmin): Mount {
  return {
    prefixes: [ARM_PREFIX, SHORT_PREFIX],
    scoped: false,
    dialect: armDialect,
    operations: [...ENTITIES.flatMap((entity) => entity.arm(gateway)), ...tracingOperations(tracing, gateway)],
  };
}
