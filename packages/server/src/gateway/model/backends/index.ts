import { armOperations } from "./arm.js";
import { Backends } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const backends = { name: "backends", object: Backends, arm: armOperations, yaml: entityYaml } as const;
