/**
 * `authentication-managed-identity` (apim.md §2.22): a token of the gateway's managed identity for `resource` — the
 * system-assigned identity, or the attached user-assigned identity `client-id` — is sent to the backend as
 * `Authorization: Bearer <token>`, or only stored in the variable `output-token-variable-name`. Tokens are cached per
 * (resource, client id) until shortly before expiry (gateway/managed-identity). A token that cannot be had fails the
 * request with a 500, as APIM does, unless `ignore-error` is true: then the pipeline goes on without one. Also a child
 * of send-request, for the request that policy sends.
 */
import { ManagedIdentityTokenError } from "../../managed-identity/token-source.js";
import type { PipelineContext } from "../../pipeline/context.js";
import type { HeaderMap } from "../../pipeline/headers.js";
import { PolicyFailure, type PolicyDefinition, type PolicyElement } from "../definition.js";

const NAME = "authentication-managed-identity";
/** LastError.Reason of a token the identity endpoint did not give. */
export const TOKEN_FAILURE_REASON = "ManagedIdentityTokenFailure";

export interface ManagedIdentityAuthentication {
  /** Puts the token on `headers` (or into the output variable); throws PolicyFailure unless ignore-error. */
  apply(context: PipelineContext, headers: HeaderMap): Promise<void>;
}

/** Reads the element's attributes, for the policy and for send-request's child of the same name. */
export function readManagedIdentityAuthentication(element: PolicyElement): ManagedIdentityAuthentication {
  const resource = element.requiredValueAttribute("resource");
  // APIM takes neither as an expression: the plain accessors refuse one.
  const clientId = element.attribute("client-id");
  const variable = element.attribute("output-token-variable-name");
  const ignoreError = element.booleanAttribute("ignore-error", false);
  if (resource.constant?.trim() === "")
    throw element.error(`Policy '${NAME}' needs a non-empty 'resource'`, "resource");
  if (clientId !== undefined && clientId.trim() === "") {
    throw element.error(`Policy '${NAME}' needs a non-empty 'client-id' when it is given`, "client-id");
  }
  if (variable !== undefined && variable.trim() === "") {
    throw element.error(
      `Policy '${NAME}' needs a non-empty 'output-token-variable-name'`,
      "output-token-variable-name",
    );
  }
  const id = element.id;
  return {
    async apply(context, headers) {
      const target = resource.text(context);
      let token: string;
      try {
        token = await context.services.managedIdentity.token(target, clientId?.trim());
      } catch (error) {
        if (!(error instanceof ManagedIdentityTokenError)) throw error;
        const detail = `Obtaining a managed identity token for resource '${target}'${
          clientId ? ` and client id '${clientId}'` : ""
        } failed: ${error.message}`;
        context.trace?.message(NAME, "error", detail);
        if (ignoreError) return;
        throw new PolicyFailure(500, "Internal server error", NAME, TOKEN_FAILURE_REASON, detail, {}, true);
      }
      context.trace?.message(NAME, "information", `Token for resource '${target}' obtained${id ? ` (${id})` : ""}`);
      if (variable !== undefined) context.variables.set(variable, token);
      else headers.set("Authorization", [`Bearer ${token}`]);
    },
  };
}

export const authenticationManagedIdentity: PolicyDefinition = {
  name: NAME,
  sections: ["inbound"],
  compile(element) {
    const authentication = readManagedIdentityAuthentication(element);
    return {
      policy: NAME,
      id: element.id,
      run: (context) => authentication.apply(context, context.request.headers),
    };
  },
};
