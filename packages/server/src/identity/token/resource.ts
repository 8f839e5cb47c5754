import type { StoredApplication } from "../../store/repositories/applications.js";
import type { Directory } from "../directory.js";
import { aadsts } from "../errors.js";
import type { Endpoint } from "./request.js";

/** OIDC scopes some clients add to every request; they name no resource. */
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
const DEFAULT_SUFFIX = "/.default";

export interface RequestedResource {
  /** The identifier as the client wrote it, without `/.default`: a v1 token's `aud`. */
  requested: string;
  app: StoredApplication;
}

/** v2: one resource's `/.default` scope (repeats of the same resource are fine); v1: the `resource` value. */
export function resolveResource(
  endpoint: Endpoint,
  target: string,
  directory: Directory,
  tenantName: string,
): RequestedResource {
  if (endpoint === "v1") {
    const app = directory.resource(target);
    if (!app) throw aadsts.unknownResource(target, tenantName);
    return { requested: target, app };
  }
  const scopes = target.split(/\s+/).filter((s) => s.length > 0 && !OIDC_SCOPES.has(s.toLowerCase()));
  if (scopes.length === 0) throw aadsts.missingParameter("scope");
  const withoutDefault = scopes.find((s) => !s.toLowerCase().endsWith(DEFAULT_SUFFIX));
  if (withoutDefault !== undefined) throw aadsts.scopeWithoutDefault(target);
  const identifiers = scopes.map((s) => s.slice(0, -DEFAULT_SUFFIX.length));
  const apps = identifiers.map((id) => directory.resource(id));
  const first = apps[0];
  const requested = identifiers[0] as string;
  if (apps.some((a) => a === undefined || a !== first)) {
    if (new Set(identifiers.map((i) => i.toLowerCase().replace(/\/+$/, ""))).size > 1) {
      throw aadsts.multipleResources(target);
    }
  }
  if (!first) throw aadsts.unknownResource(requested, tenantName);
  return { requested, app: first };
}
