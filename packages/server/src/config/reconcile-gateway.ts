import { ENTITIES } from "../gateway/model/entities.js";
import type { GatewayRegistry } from "../gateway/model/registry.js";
import { GatewayPlan, inFile, type GeneratedSubscriptionKeys } from "./gateway-plan.js";
import { planGatewaySection } from "./gateway-section.js";
import type { GatewaySectionConfig } from "./schema.js";

export type { GeneratedSubscriptionKeys } from "./gateway-plan.js";

export interface GatewayReconcileResult {
  changes: string[];
  generatedSubscriptionKeys: GeneratedSubscriptionKeys[];
}

/**
 * Brings the gateway to what the file says: the changes are planned by comparing each entry with the stored
 * configuration (validated as the registry will store them), then applied in one transaction in the entities'
 * dependency order (gateway/model/entities.ts) — named values, backends, APIs and operations, products and links,
 * policies, subscriptions. An unchanged file writes nothing; nothing absent from the file is deleted.
 */
export async function reconcileGateway(
  gateway: GatewayRegistry,
  section: GatewaySectionConfig,
  baseDir: string,
): Promise<GatewayReconcileResult> {
  const plan = new GatewayPlan(
    await gateway.configuration(),
    baseDir,
    ENTITIES.map((entity) => entity.name),
  );
  await planGatewaySection(section, plan);
  const steps = plan.steps();
  if (steps.length > 0) {
    await gateway.write(async (tx) => {
      for (const step of steps) {
        try {
          await step.run(tx);
        } catch (error) {
          throw inFile(step.where, error);
        }
      }
    });
  }
  return { changes: steps.flatMap((s) => s.changes), generatedSubscriptionKeys: plan.generatedSubscriptionKeys };
}
