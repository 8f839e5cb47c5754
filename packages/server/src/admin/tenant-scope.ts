import { DEFAULT_TENANT_SETTING } from "../config/reconcile.js";
import type { Tenant } from "../identity/model.js";
import type { Registry } from "../identity/registry.js";
import { GraphError, graphErrors } from "./graph-errors.js";
import type { Management } from "./management.js";

/** A tenant by GUID or verified domain, case-insensitively, as authority URLs name it. */
export async function findTenant(registry: Registry, segment: string): Promise<Tenant | undefined> {
  const key = segment.toLowerCase();
  const tenants = await registry.read((repos) => repos.tenants.list());
  return tenants.find((t) => t.id === key || t.domains.includes(key));
}

export const tenantNotFound = (segment: string) =>
  new GraphError(404, "Request_ResourceNotFound", `Tenant '${segment}' does not exist.`);

/**
 * The tenant a Graph route works in: `/{tenantId}/v1.0/…` names it; plain `/v1.0/…` means the default tenant — the
 * `default.tenantId` setting, or else the only tenant besides the management tenant.
 */
export async function resolveTenant(
  registry: Registry,
  management: Management,
  segment: string | undefined,
): Promise<Tenant> {
  if (segment !== undefined) {
    const tenant = await findTenant(registry, segment);
    if (!tenant) throw tenantNotFound(segment);
    return tenant;
  }
  const [configured, tenants] = await registry.read((repos) =>
    Promise.all([repos.settings.get(DEFAULT_TENANT_SETTING), repos.tenants.list()]),
  );
  const chosen = tenants.find((t) => t.id === configured?.toLowerCase());
  if (chosen) return chosen;
  const candidates = tenants.filter((t) => t.id !== management.tenantId);
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  throw graphErrors.badRequest(
    candidates.length === 0
      ? "There is no tenant besides the management tenant yet: create one (POST /v1.0/tenants) or use /{tenantId}/v1.0/… ."
      : "There is more than one tenant and no default tenant is configured: use /{tenantId}/v1.0/… .",
  );
}
