import { armOperations } from "./arm.js";
import { ClientApplications } from "./entity.js";
import { entityYaml } from "./yaml.js";

export const clientApplications = {
  name: "clientApplications",
  object: ClientApplications,
  arm: armOperations,
  yaml: entityYaml,
} as const;
