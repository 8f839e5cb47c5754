/**
 * What json-to-xml and xml-to-json share (reference apim.md §2.25): which message they convert (the request in
 * inbound, the response in outbound and on-error), when (`apply`, `consider-accept-header`), reading a streamed body
 * first, and replacing the body and its Content-Type.
 */
import { withBodyInMemory } from "../../pipeline/body-buffer.js";
import type { GatewayRequest, GatewayResponse, PipelineContext } from "../../pipeline/context.js";
import { responseOf } from "../../pipeline/gateway-error.js";
import { BodyFormatError } from "../../transform/json-xml.js";
import { acceptsMediaType } from "../../transform/media-type.js";
import { PolicyFailure, type CompileEnvironment, type PolicyElement, type Step } from "../definition.js";
import { booleanSetting, enumSetting, valueOf } from "../setting.js";

export interface BodyConversion {
  /** The `apply` value that converts only a body of the source type. */
  readonly onlyIfSourceType: string;
  readonly isSourceType: (mediaType: string | undefined) => boolean;
  readonly isTargetType: (mediaType: string) => boolean;
  readonly targetContentType: string;
  /** Throws BodyFormatError for a body that is not of the source format. */
  convert(body: string, context: PipelineContext): string;
}

export function conversionStep(
  element: PolicyElement,
  environment: CompileEnvironment,
  conversion: BodyConversion,
): Step {
  element.requiredValueAttribute("apply");
  const apply = enumSetting(element, "apply", ["always", conversion.onlyIfSourceType], "always");
  const considerAccept = booleanSetting(element, "consider-accept-header", true);
  const what = environment.target;
  const message = (context: PipelineContext): GatewayRequest | GatewayResponse =>
    what === "request" ? context.request : responseOf(context);
  const policy = element.name;
  const convert = (context: PipelineContext) => {
    const target = message(context);
    const { body } = target;
    const text = typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString("utf8") : "";
    if (text === "") return;
    try {
      target.body = conversion.convert(text, context);
    } catch (error) {
      if (!(error instanceof BodyFormatError)) throw error;
      throw new PolicyFailure(500, "Internal server error", policy, "BodyConversionFailure", error.message, {}, true);
    }
    target.headers.set("Content-Type", [conversion.targetContentType]);
  };
  return {
    policy,
    id: element.id,
    run(context) {
      const target = message(context);
      if (valueOf(apply, context) !== "always" && !conversion.isSourceType(target.headers.get("content-type"))) return;
      if (
        valueOf(considerAccept, context) &&
        !acceptsMediaType(context.request.headers.get("accept"), conversion.isTargetType)
      ) {
        return;
      }
      return withBodyInMemory(target, what, () => convert(context));
    },
  };
}
