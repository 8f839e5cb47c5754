import { armOperations } from "./arm.js";
import { Policies } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const policies = { name: "policies", object: Policies, arm: armOperations, yaml: entityYaml } as const;
