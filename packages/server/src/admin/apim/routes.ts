import { ENTITIES } from "../../gateway/model/entities.js";
import type { GatewayRegistry } from "../../gateway/model/registry.js";
import type { Mount } from "../openapi.js";
import { ARM_PREFIX, SHORT_PREFIX } from "./arm.js";
import { armDialect } from "./dialect.js";
import type { ArmServices } from "./services.js";
import { tracingOperations, type TraceAdmin } from "./resources/traces.js";
import { serviceOperations } from "./service.js";
import type { Registry } from "../../identity/registry.js";

/** The gateway's configuration as API Management's management resources, at the ARM prefix and at `/gateway`. */
export function apimMount(
  gateway: GatewayRegistry,
  tracing: TraceAdmin,
  services: ArmServices,
  registry: Registry,
): Mount {
  return {
    prefixes: [ARM_PREFIX, SHORT_PREFIX],
    scoped: false,
    dialect: armDialect,
    operations: [
      ...ENTITIES.flatMap((entity) => entity.arm(gateway, services)),
      ...tracingOperations(tracing, gateway),
      ...serviceOperations(registry),
    ],
  };
}
