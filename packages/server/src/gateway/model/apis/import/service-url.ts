/**
 * A document's server (OpenAPI `servers`, Swagger `host`, WSDL `soap:address`) as the API's service URL: absolute
 * http or https, a relative one resolved against the URL the document was fetched from (as API Management applies the
 * source file's URL), without a trailing slash — operation templates start with one. Anything else is no service URL.
 */
export function absoluteServiceUrl(url: string, sourceUrl: string | undefined): string | undefined {
  let absolute: URL;
  try {
    absolute = sourceUrl === undefined ? new URL(url) : new URL(url, sourceUrl);
  } catch {
    return undefined;
  }
  if (absolute.protocol !== "https:" && absolute.protocol !== "http:") return undefined;
  return absolute.href.replace(/\/+$/, "");
}
