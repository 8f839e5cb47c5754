import type { DecodedToken } from "../../jwt/token.js";
import {
  audienceRule,
  readApplicationIds,
  readAudiences,
  readFailure,
  readOutputVariable,
  readRequiredClaims,
  readTokenLocation,
} from "../../jwt/policy-elements.js";
import { tokenLocator } from "../../jwt/token-locator.js";
import { JwtValidationError, quote } from "../../jwt/validation-error.js";
import { JwtValidator } from "../../jwt/validator.js";
import type { PolicyDefinition } from "../definition.js";
import { fixed, mapSetting } from "../setting.js";

const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

/**
 * The caller's application must be one of client-application-ids: `azp` in v2 tokens, `appid` in v1 ones. Ids are
 * GUIDs, compared without regard to case.
 */
function clientApplicationCheck(ids: readonly string[]): (token: DecodedToken) => void {
  const allowed = new Set(ids.map((id) => id.toLowerCase()));
  return (token) => {
    const name = token.payload.azp !== undefined ? "azp" : "appid";
    const app = token.payload[name];
    if (app === undefined) {
      throw new JwtValidationError(
        "TokenClaimNotFound",
        "JWT token is missing the following claims: azp. Access denied.",
      );
    }
    if (typeof app !== "string" || !allowed.has(app.toLowerCase())) {
      throw new JwtValidationError(
        "TokenClaimValueNotAllowed",
        `Claim ${name} value of ${quote(app)} is not allowed. Access denied.`,
      );
    }
  };
}

/**
 * validate-azure-ad-token (apim.md §2.2): validate-jwt with keys and issuers from the tenant's v2.0 and v1.0
 * discovery documents (so both token versions validate), plus the caller's application id check.
 */
export const validateAzureAdToken: PolicyDefinition = {
  name: "validate-azure-ad-token",
  sections: ["inbound"],
  compile(element, environment) {
    const { keySources, azureAdAuthority } = environment.services;
    const tenant = element.requiredAttribute("tenant-id").trim();
    if (!TENANT.test(tenant)) throw element.error("'tenant-id' must be a tenant id or domain name", "tenant-id");
    const clientIds = readApplicationIds(element, "client-application-ids");
    if (clientIds === undefined) throw element.error("'client-application-ids' is required");
    const backendIds = readApplicationIds(element, "backend-application-ids") ?? [];
    const authority = azureAdAuthority.replace(/\/+$/, "");
    return new JwtValidator({
      policy: "validate-azure-ad-token",
      id: element.id,
      locate: tokenLocator(readTokenLocation(element, { defaultHeader: "Authorization", scheme: false })),
      failure: readFailure(element),
      requireSignedTokens: fixed(true),
      lifetime: fixed({ requireExpirationTime: true, clockSkewSeconds: 0 }),
      staticKeys: undefined,
      sources: [
        keySources.openIdConfig(`${authority}/${tenant}/v2.0/.well-known/openid-configuration`),
        keySources.openIdConfig(`${authority}/${tenant}/.well-known/openid-configuration`),
      ],
      issuers: fixed([]),
      audiences: audienceRule(
        mapSetting(readAudiences(element) ?? fixed([]), (audiences) => [
          ...backendIds.flatMap((id) => [id, `api://${id}`]),
          ...audiences,
        ]),
      ),
      requiredClaims: readRequiredClaims(element),
      check: clientApplicationCheck(clientIds),
      outputVariable: readOutputVariable(element),
      cache: keySources.verifyCache,
    });
  },
};
