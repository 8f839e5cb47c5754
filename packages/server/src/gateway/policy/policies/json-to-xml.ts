/** `json-to-xml` (reference apim.md §2.25): a JSON body as XML (shapes in transform/json-xml.ts). */
import { jsonToXml } from "../../transform/json-xml.js";
import { isJsonMediaType, isXmlMediaType } from "../../transform/media-type.js";
import type { PolicyDefinition } from "../definition.js";
import { fixed, optionalText, textSetting, valueOf } from "../setting.js";
import { conversionStep } from "./body-conversion.js";

export const jsonToXmlPolicy: PolicyDefinition = {
  name: "json-to-xml",
  sections: ["inbound", "outbound", "on-error"],
  compile(element, environment) {
    const parseDate = element.booleanAttribute("parse-date", true);
    const separatorValue = element.valueAttribute("namespace-separator");
    const separator = separatorValue ? textSetting(separatorValue) : fixed("_");
    const prefix = optionalText(element, "namespace-prefix");
    const attributeBlock = optionalText(element, "attribute-block-name");
    return conversionStep(element, environment, {
      onlyIfSourceType: "content-type-json",
      isSourceType: isJsonMediaType,
      isTargetType: isXmlMediaType,
      targetContentType: "application/xml",
      convert: (body, context) =>
        jsonToXml(body, {
          parseDate,
          namespaceSeparator: valueOf(separator, context),
          namespacePrefix: prefix && valueOf(prefix, context),
          attributeBlockName: attributeBlock && valueOf(attributeBlock, context),
        }),
    });
  },
};
