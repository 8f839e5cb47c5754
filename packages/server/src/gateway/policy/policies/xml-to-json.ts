/** `xml-to-json` (reference apim.md §2.25): an XML body as JSON, `direct` or `javascript-friendly` (transform/json-xml.ts). */
import { xmlToJson } from "../../transform/json-xml.js";
import { isJsonMediaType, isXmlMediaType } from "../../transform/media-type.js";
import type { PolicyDefinition } from "../definition.js";
import { booleanSetting, enumSetting, valueOf } from "../setting.js";
import { conversionStep } from "./body-conversion.js";

export const xmlToJsonPolicy: PolicyDefinition = {
  name: "xml-to-json",
  sections: ["inbound", "outbound", "on-error"],
  compile(element, environment) {
    element.requiredValueAttribute("kind");
    const kind = enumSetting(element, "kind", ["javascript-friendly", "direct"] as const, "direct");
    const alwaysArray = booleanSetting(element, "always-array-child-elements", false);
    return conversionStep(element, environment, {
      onlyIfSourceType: "content-type-xml",
      isSourceType: isXmlMediaType,
      isTargetType: isJsonMediaType,
      targetContentType: "application/json",
      convert: (body, context) =>
        xmlToJson(body, { kind: valueOf(kind, context), alwaysArrayChildElements: valueOf(alwaysArray, context) }),
    });
  },
};
