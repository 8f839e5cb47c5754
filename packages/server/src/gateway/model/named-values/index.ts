import { armOperations } from "./arm.js";
import { NamedValues } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const namedValues = { name: "namedValues", object: NamedValues, arm: armOperations, yaml: entityYaml } as const;
