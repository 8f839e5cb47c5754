import type { z } from "zod";
import type { Operation } from "../../admin/operations.js";
import type { GatewayPlan } from "../../config/gateway-plan.js";
import type { GatewayConfiguration } from "./configuration.js";
import type { GatewayRegistry } from "./registry.js";
import type { GatewayTransaction } from "./transaction.js";

type Section<Shape extends z.core.$ZodShape> = z.output<z.ZodObject<Shape>>;

/** An entity's part of the `gateway:` section of a configuration file. */
export interface EntityYaml<Shape extends z.core.$ZodShape> {
  /** Its members of the section. */
  shape: Shape;
  /** A rule across its members: the message when the section breaks it. */
  check?(section: Section<Shape>): string | undefined;
  /** Adds the steps that bring the store to what the section says. */
  plan(section: Section<Shape>, plan: GatewayPlan): Promise<void>;
  /** Its members of an exported section, which applied changes nothing. */
  export(current: GatewayConfiguration): Section<Shape>;
}

/** An entity's reads and writes in one transaction, and which of its methods the registry offers. */
export interface EntityClass {
  new (tx: GatewayTransaction): object;
  /** Methods the registry runs in a read … */
  readonly reads: readonly string[];
  /** … and each in a write transaction of its own. The others serve other entities within a transaction. */
  readonly writes: readonly string[];
}

/** An entity's YAML, the types of its section read from the schema of its members. */
export const entityYamlOf = <Shape extends z.core.$ZodShape>(
  shape: Shape,
  yaml: Omit<EntityYaml<Shape>, "shape">,
): EntityYaml<Shape> => ({ shape, ...yaml });

/** What an entity folder exports (its index.ts) for entities.ts. */
export interface EntityDefinition {
  /** `gateway.<name>` and `tx.<name>`. */
  readonly name: string;
  readonly object: EntityClass;
  arm(gateway: GatewayRegistry): Operation[];
  /** Absent for an entity written within another's entries (operations within their API's). */
  readonly yaml?: EntityYaml<z.core.$ZodShape>;
}
