import {
  audienceRule,
  readAudiences,
  readFailure,
  readIssuers,
  readLifetime,
  readOutputVariable,
  readRequiredClaims,
  readSigningKeys,
  readTokenLocation,
} from "../../jwt/policy-elements.js";
import { tokenLocator } from "../../jwt/token-locator.js";
import { JwtValidator } from "../../jwt/validator.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";
import { booleanSetting, fixed } from "../setting.js";

function openIdUrl(config: PolicyElement): string {
  const url = config.requiredAttribute("url").trim();
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol !== "https:" && protocol !== "http:")
    throw config.error("'url' must be an absolute http or https URL", "url");
  return url;
}

/** validate-jwt (apim.md §2.1). */
export const validateJwt: PolicyDefinition = {
  name: "validate-jwt",
  sections: ["inbound"],
  compile(element, environment) {
    const decryption = element.children("decryption-keys")[0];
    if (decryption) throw decryption.error("encrypted tokens (JWE) are not supported by this version");
    const { keySources } = environment.services;
    return new JwtValidator({
      policy: "validate-jwt",
      id: element.id,
      locate: tokenLocator(readTokenLocation(element, { scheme: true })),
      failure: readFailure(element),
      requireSignedTokens: booleanSetting(element, "require-signed-tokens", true),
      lifetime: readLifetime(element),
      staticKeys: readSigningKeys(element, environment.certificates),
      sources: element.children("openid-config").map((config) => keySources.openIdConfig(openIdUrl(config))),
      issuers: readIssuers(element) ?? fixed([]),
      audiences: audienceRule(readAudiences(element) ?? fixed([])),
      requiredClaims: readRequiredClaims(element),
      check: undefined,
      outputVariable: readOutputVariable(element),
      cache: keySources.verifyCache,
    });
  },
};
