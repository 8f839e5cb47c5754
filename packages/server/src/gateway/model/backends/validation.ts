import { checkName, flag, HEADER_NAME, httpUrl, invalid, oneOf, optionalText, QUERY_NAME, text } from "../checks.js";
import type { Backend, BackendCredentials, BackendInput } from "./types.js";

export function backendFrom(name: string, input: BackendInput): Backend {
  checkName("Backend", name);
  return {
    name,
    url: httpUrl("url", input.url),
    protocol: oneOf("protocol", input.protocol ?? "http", ["http", "soap"]),
    title: input.title ? text("title", input.title, 300) : null,
    description: optionalText(input.description),
    credentials: input.credentials ? checkCredentials(input.credentials) : null,
    tls: {
      validateCertificateChain: flag("tls.validateCertificateChain", input.tls?.validateCertificateChain, true),
      validateCertificateName: flag("tls.validateCertificateName", input.tls?.validateCertificateName, true),
    },
  };
}

export const backendInputOf = ({ name: _name, ...input }: Backend): BackendInput => input;

function checkCredentials(credentials: BackendCredentials): BackendCredentials | null {
  const lists = (target: string, map: Record<string, string[]> | undefined, nameRule: RegExp) => {
    for (const [key, values] of Object.entries(map ?? {})) {
      if (!nameRule.test(key)) throw invalid(`credentials.${target}`, `'${key}' is not a valid name.`);
      if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
        throw invalid(`credentials.${target}.${key}`, "must be a list of strings.");
      }
    }
  };
  lists("header", credentials.header, HEADER_NAME);
  lists("query", credentials.query, QUERY_NAME);
  const auth = credentials.authorization;
  if (auth && (!HEADER_NAME.test(auth.scheme) || typeof auth.parameter !== "string")) {
    throw invalid("credentials.authorization", "needs a scheme (a token such as Basic) and a parameter.");
  }
  const certificateIds = certificateList("certificateIds", credentials.certificateIds, (id) => id);
  const certificate = certificateList("certificate", credentials.certificate, (t) =>
    t.replace(/[\s:]/g, "").toUpperCase(),
  );
  const result: BackendCredentials = {
    ...(credentials.header && Object.keys(credentials.header).length > 0 ? { header: credentials.header } : {}),
    ...(credentials.query && Object.keys(credentials.query).length > 0 ? { query: credentials.query } : {}),
    ...(auth ? { authorization: { scheme: auth.scheme, parameter: auth.parameter } } : {}),
    ...(certificateIds ? { certificateIds } : {}),
    ...(certificate ? { certificate } : {}),
  };
  return Object.keys(result).length > 0 ? result : null;
}

/** At most 32 distinct certificate names or thumbprints, or undefined for none. */
function certificateList(
  target: string,
  list: string[] | undefined,
  normal: (item: string) => string,
): string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string" || item.trim() === "")) {
    throw invalid(`credentials.${target}`, "must be a list of non-empty strings.");
  }
  if (list.length === 0) return undefined;
  const items = [...new Set(list.map(normal))];
  if (items.length > 32) throw invalid(`credentials.${target}`, "must name at most 32 certificates.");
  return items;
}
