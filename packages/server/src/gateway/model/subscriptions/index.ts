import { armOperations } from "./arm.js";
import { Subscriptions } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const subscriptions = {
  name: "subscriptions",
  object: Subscriptions,
  arm: armOperations,
  yaml: entityYaml,
} as const;
