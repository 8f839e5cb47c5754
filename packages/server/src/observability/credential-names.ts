/**
 * Which header and query parameter names carry credentials, so their values never reach a log or a request trace:
 * the names below, any name matching CREDENTIAL_PATTERN, an API's own subscription-key names, and names the operator
 * adds with --redact. Hiding too much costs a less useful log line; hiding too little leaks a secret.
 */

/** Names that do not match the pattern but are credentials all the same (OAuth parameters). */
export const CREDENTIAL_NAMES: readonly string[] = ["code", "client_assertion", "assertion"];

/**
 * Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, Api-Key, X-Functions-Key,
 * Ocp-Apim-Subscription-Key, subscription-key, client_secret, access_token, password, a SAS `sig` …
 */
export const CREDENTIAL_PATTERN = /key|secret|token|passw|pwd|auth|credential|signature|sig|cookie|session/i;

export const REDACTED = "***";

/** `name=value` led by the start, `?`, `&`, `;` or a space; the value ends at the next separator. Linear. */
const PARAMETER = /(^|[?&;\s])([^=&;?#\s]+)=([^&;#\s]*)/g;

const decodedName = (name: string): string => {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
};

export class CredentialNames {
  private readonly exact: ReadonlySet<string>;

  constructor(extra: readonly string[] = []) {
    this.exact = new Set([...CREDENTIAL_NAMES, ...extra].map((name) => name.trim().toLowerCase()));
  }

  /** Whether the header or parameter `name` holds a credential; `alsoSensitive` is one more (an API's key name). */
  has(name: string, alsoSensitive?: string): boolean {
    const lower = name.toLowerCase();
    return CREDENTIAL_PATTERN.test(lower) || this.exact.has(lower) || lower === alsoSensitive?.toLowerCase();
  }

  /**
   * The text with the values of credential parameters (`name=value` after `?`, `&`, `;`, a space or at the start)
   * replaced: a URL, a path and query, a form, or free text quoting one. Nothing else in the text changes.
   */
  redact(text: string, alsoSensitive?: string): string {
    if (!text.includes("=")) return text;
    return text.replace(PARAMETER, (whole: string, lead: string, name: string) =>
      this.has(decodedName(name), alsoSensitive) ? `${lead}${name}=${REDACTED}` : whole,
    );
  }
}
