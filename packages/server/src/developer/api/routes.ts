/**
 * The developer API — the developer portal's back end, also usable from scripts — on the admin listener under
 * `/developer`: its own mount, authenticated by the developer's session rather than the admin token. Other modules
 * add their operations under the signed-in user with `securedBy` (operation.ts) through `extensions`.
 */
import type { Mount } from "../../admin/openapi.js";
import type { Operation } from "../../admin/operations.js";
import type { GatewayRegistry } from "../../gateway/model/registry.js";
import type { DeveloperServices } from "../services.js";
import { accountOperations } from "./account.js";
import { catalogOperations, type ApiExport } from "./catalog.js";
import { dataApiDialect } from "./dialect.js";
import { securedBy, type Secured } from "./operation.js";
import { subscriptionOperations } from "./subscriptions.js";

export const DEVELOPER_PREFIX = "/developer";

export interface DeveloperMountOptions {
  readonly services: DeveloperServices;
  readonly gateway: GatewayRegistry;
  /** Operations of other modules (client applications …), made with the `secured` they are given. */
  readonly extensions?: readonly ((secured: Secured) => Operation[])[];
  readonly exportApi: ApiExport;
}

export function developerMount(options: DeveloperMountOptions): Mount {
  const { services, gateway } = options;
  const secured = securedBy(services.sessions);
  return {
    prefixes: [DEVELOPER_PREFIX],
    scoped: false,
    // No admin token: each operation authenticates the developer itself.
    public: true,
    dialect: dataApiDialect,
    operations: [
      ...accountOperations(services, gateway, secured),
      ...catalogOperations(gateway, secured, options.exportApi),
      ...subscriptionOperations(gateway, secured),
      ...(options.extensions ?? []).flatMap((extension) => extension(secured)),
    ],
  };
}
