import type { z } from "zod";
import type { GatewayConfiguration } from "../gateway/model/configuration.js";
import { ENTITIES } from "../gateway/model/entities.js";
import type { GatewayPlan } from "./gateway-plan.js";

type Yaml = Extract<(typeof ENTITIES)[number], { yaml: unknown }>["yaml"];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type SectionShape = UnionToIntersection<Yaml["shape"]>;
type Section = z.output<z.ZodObject<SectionShape>>;

/** Each entity's YAML, in the entities' (dependency) order. */
const parts: readonly Yaml[] = ENTITIES.flatMap((entity) => ("yaml" in entity ? [entity.yaml] : []));

/** The `gateway:` section's members: each entity's. */
export const gatewaySectionShape = (): SectionShape => Object.assign({}, ...parts.map((part) => part.shape));

/** The messages of the entities' rules across their members that the section breaks. */
export const gatewaySectionChecks = (section: Section): string[] =>
  parts.flatMap((part) => part.check?.(section) ?? []);

/** Adds each entity's steps to the plan. */
export async function planGatewaySection(section: Section, plan: GatewayPlan): Promise<void> {
  for (const part of parts) await part.plan(section, plan);
}

/** The section that, applied, changes nothing: each entity's members. */
export const exportGatewaySection = (current: GatewayConfiguration): Section =>
  Object.assign({}, ...parts.map((part) => part.export(current)));
