import { armOperations } from "./arm.js";
import { Products } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const products = { name: "products", object: Products, arm: armOperations, yaml: entityYaml } as const;
