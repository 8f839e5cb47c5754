import { armOperations } from "./arm.js";
import { Groups } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const groups = { name: "groups", object: Groups, arm: armOperations, yaml: entityYaml } as const;
