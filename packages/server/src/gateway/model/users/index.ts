import { armOperations } from "./arm.js";
import { Users } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const users = { name: "users", object: Users, arm: armOperations, yaml: entityYaml } as const;
