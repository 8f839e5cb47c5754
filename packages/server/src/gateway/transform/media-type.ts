/**
 * Which media types count as JSON and as XML, as set-body's Liquid binding and the conversion policies read them
 * (reference apim.md §2.20): application/json, text/json or any `+json`; application/xml, text/xml or any `+xml`.
 */

/** The media type without parameters, lower-cased ("" when absent). */
function essence(mediaType: string | undefined): string {
  return (mediaType ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
}

export function isJsonMediaType(mediaType: string | undefined): boolean {
  const type = essence(mediaType);
  return type === "application/json" || type === "text/json" || type.endsWith("+json");
}

export function isXmlMediaType(mediaType: string | undefined): boolean {
  const type = essence(mediaType);
  return type === "application/xml" || type === "text/xml" || type.endsWith("+xml");
}

/** Whether an Accept header asks for a type `matches` accepts (any of its comma-separated entries). */
export function acceptsMediaType(accept: string | undefined, matches: (mediaType: string) => boolean): boolean {
  return accept !== undefined && accept.split(",").some((entry) => matches(entry));
}
