import { armOperations } from "./arm.js";
import { Apis } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const apis = { name: "apis", object: Apis, arm: armOperations, yaml: entityYaml } as const;
