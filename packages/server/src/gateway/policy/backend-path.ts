/**
 * rewrite-uri and set-backend-service put their results through the request path's rule (routing/canonical-path.ts):
 * a result the gateway would refuse from a client — an encoded `/`, a `..` above the backend's base path — is a
 * policy failure that runs on-error, never a request to the backend.
 */
import { canonicalPath, RequestTargetError } from "../routing/canonical-path.js";
import { PolicyFailure } from "./definition.js";

/** The canonical form of a path a policy computed, relative to the backend's base path. */
export function canonicalBackendPath(policy: string, raw: string): string {
  try {
    return canonicalPath(raw).path;
  } catch (error) {
    if (!(error instanceof RequestTargetError)) throw error;
    throw invalidPathFailure(policy, error.message);
  }
}

/** 400 with the rule's message (it never quotes the path); LastError.Reason `InvalidUrlPath`. */
export function invalidPathFailure(policy: string, problem: string): PolicyFailure {
  return new PolicyFailure(400, problem, policy, "InvalidUrlPath", `${policy}: ${problem}`);
}
