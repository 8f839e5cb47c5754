/** `set-backend-service` (reference apim.md §2.11): where forward-request sends the request. */
import { ExpressionEvaluationError } from "../../expressions/index.js";
import type { Backend, BackendCredentials } from "../../model/backends/types.js";
import type { BackendTarget } from "../../pipeline/context.js";
import { RequestTargetError, withCanonicalPath } from "../../routing/canonical-path.js";
import { invalidPathFailure } from "../backend-path.js";
import type { CompileEnvironment, PolicyDefinition, PolicyElement, PolicyValue } from "../definition.js";
import { backendClientCertificate, CertificateReferenceError } from "../../model/certificates/lookup.js";
import type { ClientCertificate } from "../../model/certificates/types.js";

const SERVICE_FABRIC = [
  "sf-resolve-condition",
  "sf-service-instance-name",
  "sf-partition-key",
  "sf-replica-type",
  "sf-listener-name",
];

export const setBackendService: PolicyDefinition = {
  name: "set-backend-service",
  sections: ["inbound", "backend"],
  compile(element, environment) {
    if (element.attribute("dapr-app-id") !== undefined) {
      throw element.error(
        "Policy 'set-backend-service' with Dapr is not supported by this Gatehouse version",
        "dapr-app-id",
      );
    }
    for (const attribute of SERVICE_FABRIC) {
      if (element.attribute(attribute) !== undefined) {
        throw element.error("Service Fabric backends are not supported by this Gatehouse version", attribute);
      }
    }
    const baseUrl = element.valueAttribute("base-url");
    const backendId = element.valueAttribute("backend-id");
    if ((baseUrl === undefined) === (backendId === undefined)) {
      throw element.error(
        "Policy 'set-backend-service' needs exactly one of the attributes 'base-url' and 'backend-id'",
      );
    }
    const { id } = element;
    if (baseUrl?.constant !== undefined || backendId?.constant !== undefined) {
      // One shared object for every request: frozen so that no request can change another's target.
      const target = Object.freeze(
        baseUrl?.constant !== undefined
          ? baseUrlTarget(baseUrl.constant, (problem) =>
              element.error(
                `Attribute 'base-url' must be an absolute http or https URL${problem ? `: ${problem}` : ""}`,
                "base-url",
              ),
            )
          : entityTarget(element, environment, backendId?.constant as string),
      );
      return { policy: "set-backend-service", id, run: (context) => void (context.backend = target) };
    }
    if (baseUrl !== undefined) {
      return {
        policy: "set-backend-service",
        id,
        run(context) {
          const url = baseUrl.text(context);
          context.backend = baseUrlTarget(url, (problem) =>
            problem
              ? invalidPathFailure("set-backend-service", problem)
              : new ExpressionEvaluationError(
                  `'${url}' is not an absolute http or https URL (set-backend-service base-url)`,
                ),
          );
        },
      };
    }
    // Entity targets are computed once per name, on first use: the configuration version holds them unchanged.
    const targets = new Map<string, BackendTarget>();
    const value = backendId as PolicyValue;
    return {
      policy: "set-backend-service",
      id,
      run(context) {
        const name = value.text(context);
        let target = targets.get(name);
        if (target === undefined) {
          if (!environment.backends.has(name))
            throw new ExpressionEvaluationError(`Backend '${name}' does not exist (set-backend-service)`);
          target = Object.freeze(entityTarget(element, environment, name));
          targets.set(name, target);
        }
        context.backend = target;
      },
    };
  },
};

/**
 * The base URL with its path in the request path's canonical form (routing/canonical-path.ts); `invalid` gets why the
 * path is refused, or nothing when the value is not an http(s) URL at all.
 */
function baseUrlTarget(baseUrl: string, invalid: (problem?: string) => Error): BackendTarget {
  // The URL is not quoted in the load error: named values, which may be secret, are substituted in it.
  if (!isHttpUrl(baseUrl)) throw invalid();
  let canonical: string;
  try {
    canonical = withCanonicalPath(baseUrl);
  } catch (error) {
    if (error instanceof RequestTargetError) throw invalid(error.message);
    throw error;
  }
  return { baseUrl: canonical, backendId: null, credentials: null, validateCertificate: true, clientCertificate: null };
}

/** A backend entity's URL, credentials and TLS settings, with the `{{named values}}` they may hold resolved. */
function entityTarget(element: PolicyElement, environment: CompileEnvironment, name: string): BackendTarget {
  const backend = environment.backends.get(name);
  if (!backend) throw element.error(`Backend '${name}' does not exist`, "backend-id");
  const resolve = (text: string) => element.withNamedValues(text, "backend-id");
  return {
    baseUrl: resolve(backend.url),
    backendId: backend.name,
    credentials: backend.credentials && resolveCredentials(backend.credentials, resolve),
    validateCertificate: backend.tls.validateCertificateChain && backend.tls.validateCertificateName,
    clientCertificate: clientCertificate(element, backend, environment),
  };
}

/** The backend's client certificate; its entity's checks keep it loadable, but a document is checked as it loads. */
function clientCertificate(
  element: PolicyElement,
  backend: Backend,
  environment: CompileEnvironment,
): ClientCertificate | null {
  try {
    return backendClientCertificate(backend.credentials, environment.certificates);
  } catch (error) {
    if (error instanceof CertificateReferenceError)
      throw element.error(`Backend '${backend.name}': ${error.message}`, "backend-id");
    throw error;
  }
}

function resolveCredentials(credentials: BackendCredentials, resolve: (text: string) => string): BackendCredentials {
  const values = (entries: Record<string, string[]> | undefined) =>
    entries && Object.fromEntries(Object.entries(entries).map(([name, list]) => [name, list.map(resolve)]));
  const { header, query, authorization } = credentials;
  return {
    ...(header ? { header: values(header) } : {}),
    ...(query ? { query: values(query) } : {}),
    ...(authorization
      ? { authorization: { scheme: authorization.scheme, parameter: resolve(authorization.parameter) } }
      : {}),
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
