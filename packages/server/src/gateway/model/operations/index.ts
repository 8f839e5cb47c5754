import { armOperations } from "./arm.js";
import { Operations } from "./entity.js";

/** No YAML of its own: operations are written within their API's entry (apis/yaml.ts). */
export const operations = { name: "operations", object: Operations, arm: armOperations } as const;
