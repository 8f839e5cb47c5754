/**
 * Secret values hidden wherever they appear in a trace: in headers, URLs, expression values, trace messages and the
 * backend exchange, as they are and as they look URL- or JSON-encoded. Longer values are replaced first, so a secret
 * that contains another is hidden whole.
 */
import { REDACTED, type CredentialNames } from "../../observability/credential-names.js";
import type { Api } from "../model/apis/types.js";
import type { GatewayRequest } from "../pipeline/context.js";

/** Shorter credentials a client sends are hidden by name only: hiding them by value would garble the trace. */
const MIN_SENT_LENGTH = 6;

export class SecretValues {
  private readonly needles: string[];

  constructor(values: Iterable<string | undefined>) {
    const needles = new Set<string>();
    for (const value of values) {
      if (!value) continue;
      needles.add(value);
      needles.add(encodeURIComponent(value));
      needles.add(new URLSearchParams({ v: value }).toString().slice(2));
      needles.add(JSON.stringify(value).slice(1, -1));
    }
    this.needles = [...needles].sort((a, b) => b.length - a.length);
  }

  /** The text with every secret replaced. */
  hide(text: string): string {
    let hidden = text;
    for (const needle of this.needles) if (hidden.includes(needle)) hidden = hidden.split(needle).join(REDACTED);
    return hidden;
  }

  /** A copy of a JSON-like value (the trace document) with every string, keys too, passed through hide(). */
  hideIn<T>(value: T): T {
    if (this.needles.length === 0) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === "string") return this.hide(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.hide(key), this.walk(item)]));
  }
}

/**
 * The credentials a request carries (values of credential headers, the part after an Authorization scheme, credential
 * query parameters), so that a policy expression or an error message quoting one does not show it either.
 */
export function credentialsSent(request: GatewayRequest, names: CredentialNames, api: Api): string[] {
  const { header, query } = api.subscriptionKeyParameterNames;
  const sent: string[] = [];
  for (const [name, values] of request.headers) {
    if (!names.has(name, header)) continue;
    for (const value of values) {
      const space = value.indexOf(" ");
      sent.push(name.toLowerCase().endsWith("authorization") && space > 0 ? value.slice(space + 1).trim() : value);
    }
  }
  for (const [name, value] of request.query) if (names.has(name, query)) sent.push(value);
  return sent.filter((value) => value.length >= MIN_SENT_LENGTH);
}
