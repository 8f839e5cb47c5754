import { armOperations } from "./arm.js";
import { Certificates } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const certificates = {
  name: "certificates",
  object: Certificates,
  arm: armOperations,
  yaml: entityYaml,
} as const;
