/** `set-backend-service` (reference apim.md §2.11): where forward-request sends the request. */
import type { BackendCredentials } from "../../model.js";
import type { BackendTarget } from "../../pipeline/context.js";
import type { PolicyDefinition } from "../definition.js";

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
    const baseUrl = element.attribute("base-url");
    const backendId = element.attribute("backend-id");
    let target: BackendTarget;
    if (baseUrl !== undefined && backendId === undefined) {
      if (!isHttpUrl(baseUrl)) {
        // Not quoted: named values, which may be secret, are substituted in it.
        throw element.error("Attribute 'base-url' must be an absolute http or https URL", "base-url");
      }
      target = { baseUrl, backendId: null, credentials: null, validateCertificate: true };
    } else if (backendId !== undefined && baseUrl === undefined) {
      const backend = environment.backends.get(backendId);
      if (!backend) throw element.error(`Backend '${backendId}' does not exist`, "backend-id");
      // The entity's URL and credentials may hold `{{named values}}` (secrets belong there), resolved like the policy's.
      const resolve = (text: string) => element.withNamedValues(text, "backend-id");
      target = {
        baseUrl: resolve(backend.url),
        backendId: backend.name,
        credentials: backend.credentials && resolveCredentials(backend.credentials, resolve),
        validateCertificate: backend.tls.validateCertificateChain && backend.tls.validateCertificateName,
      };
    } else {
      throw element.error(
        "Policy 'set-backend-service' needs exactly one of the attributes 'base-url' and 'backend-id'",
      );
    }
    // One shared object for every request: frozen so that no request can change another's target.
    Object.freeze(target);
    return {
      policy: "set-backend-service",
      id: element.id,
      run(context) {
        context.backend = target;
      },
    };
  },
};

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
