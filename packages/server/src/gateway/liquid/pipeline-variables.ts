/**
 * What a set-body Liquid template sees (reference apim.md §2.20): `body`, the message body parsed as JSON or XML by
 * its Content-Type (anything else, or a body that does not parse, is nothing), and `context` with Request.{Url,
 * Method, OriginalMethod, OriginalUrl, IpAddress, MatchedParameters, HasBody, ClientCertificates, Headers} and
 * Response.{StatusCode, Method, Headers}. Every field is read only when the template asks for it.
 */
import type { GatewayRequest, GatewayResponse, PipelineContext } from "../pipeline/context.js";
import { backendUrl } from "../pipeline/backend-url.js";
import type { HeaderMap } from "../pipeline/headers.js";
import { jsonBeyondLimits } from "../transform/body-limits.js";
import { BodyFormatError, xmlToJsonValue } from "../transform/json-xml.js";
import { LiquidRenderError } from "./errors.js";
import { isJsonMediaType, isXmlMediaType } from "../transform/media-type.js";
import { LiquidDrop, type LiquidValue } from "./values.js";

export function liquidVariables(
  context: PipelineContext,
  message: GatewayRequest | GatewayResponse | undefined,
  nil: "blank" | "null",
): Map<string, LiquidValue> {
  return new Map<string, LiquidValue>([
    ["body", message === undefined ? undefined : bodyOf(message, nil)],
    ["context", contextDrop(context)],
  ]);
}

function bodyOf(message: GatewayRequest | GatewayResponse, nil: "blank" | "null"): LiquidValue {
  const { body } = message;
  if (body === undefined || !(typeof body === "string" || Buffer.isBuffer(body))) return undefined;
  const text = typeof body === "string" ? body : body.toString("utf8");
  const type = message.headers.get("content-type");
  try {
    if (isJsonMediaType(type)) {
      const value = JSON.parse(text) as LiquidValue;
      // A template reads the body recursively (output, ==): beyond the limits is the template's failure, not the stack's.
      const beyond = jsonBeyondLimits(value);
      if (beyond !== undefined) throw new LiquidRenderError(beyond);
      return value;
    }
    if (isXmlMediaType(type))
      return xmlToJsonValue(text, { kind: "javascript-friendly", alwaysArrayChildElements: false, nil });
  } catch (error) {
    // A body that does not parse binds nothing, as a body of another type does: the template renders its blanks.
    if (!(error instanceof SyntaxError || error instanceof BodyFormatError)) throw error;
  }
  return undefined;
}

function contextDrop(context: PipelineContext): LiquidDrop {
  const { request } = context;
  return LiquidDrop.of({
    Request: () =>
      LiquidDrop.of({
        Url: () => urlDrop(backendUrl(context)),
        Method: () => request.method,
        OriginalMethod: () => request.originalMethod,
        OriginalUrl: () => urlDrop(request.originalUrl),
        IpAddress: () => request.ipAddress,
        MatchedParameters: () => LiquidDrop.caseInsensitive([...request.matchedParameters]),
        HasBody: () => request.body !== undefined,
        ClientCertificates: () => [],
        Headers: () => headersDrop(request.headers),
      }),
    Response: () => {
      const { response } = context;
      return LiquidDrop.of({
        StatusCode: () => response?.statusCode ?? 200,
        Method: () => request.method,
        Headers: () => (response ? headersDrop(response.headers) : LiquidDrop.caseInsensitive([])),
      });
    },
  });
}

function headersDrop(headers: HeaderMap): LiquidDrop {
  return LiquidDrop.caseInsensitive([...headers].map(([name, values]) => [name, values.join(",")]));
}

function urlDrop(url: URL): LiquidDrop {
  const query = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) query.set(name, [...(query.get(name) ?? []), value]);
  return LiquidDrop.of(
    {
      Scheme: () => url.protocol.replace(/:$/, ""),
      Host: () => url.hostname,
      Port: () => Number(url.port || (url.protocol === "https:" ? 443 : 80)),
      Path: () => url.pathname,
      Query: () => LiquidDrop.caseInsensitive([...query].map(([name, values]) => [name, values.join(",")])),
      QueryString: () => url.search,
    },
    url.href,
  );
}
