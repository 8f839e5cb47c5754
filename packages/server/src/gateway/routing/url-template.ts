/**
 * An operation's URL template (`/users/{id}/orders/{oid}?date={date}`, `/files/*`, `/?soapAction=urn:x`) compiled
 * once into a matcher. Matching is case-insensitive for literal segments, as API Management's is.
 */

type Segment = { kind: "literal"; text: string } | { kind: "param"; name: string };

interface QueryConstraint {
  name: string;
  /** A literal value the parameter must have, or the template parameter that captures it. */
  literal?: string;
  param?: string;
}

export interface TemplateMatch {
  params: Map<string, string>;
}

export interface MatchInput {
  /** Path segments below the API suffix, still percent-encoded. */
  segments: readonly string[];
  query: URLSearchParams;
  /** The SOAP action of the request (SOAPAction header, or the `action` of a SOAP 1.2 content type). */
  soapAction: string | undefined;
}

export class UrlTemplateError extends Error {
  override name = "UrlTemplateError";
}

const PARAM = /^\{([A-Za-z_][\w.-]*)\}$/;

export class UrlTemplate {
  private constructor(
    readonly source: string,
    private readonly segments: readonly Segment[],
    /** A trailing `/*` (or `{*name}`): matches any remaining path. */
    private readonly wildcard: string | undefined,
    private readonly queryConstraints: readonly QueryConstraint[],
    /** `soapAction` in the query part of a SOAP pass-through template is matched against the request's action. */
    private readonly soapAction: QueryConstraint | undefined,
    /** Sort key: literal segments rank before parameters, parameters before wildcards, deeper before shallower. */
    readonly specificity: string,
  ) {}

  static parse(source: string, soap: boolean): UrlTemplate {
    const [pathPart = "", queryPart] = splitOnce(source.trim(), "?");
    const rawSegments = pathPart.split("/").filter((s) => s !== "");
    const segments: Segment[] = [];
    let wildcard: string | undefined;
    rawSegments.forEach((raw, index) => {
      const last = index === rawSegments.length - 1;
      if (raw === "*" || /^\{\*[A-Za-z_][\w.-]*\}$/.test(raw)) {
        if (!last) throw new UrlTemplateError(`'${source}': a wildcard must be the last segment`);
        wildcard = raw === "*" ? "*" : raw.slice(2, -1);
        return;
      }
      const param = PARAM.exec(raw);
      if (param) segments.push({ kind: "param", name: param[1] as string });
      else if (/[{}]/.test(raw)) throw new UrlTemplateError(`'${source}': '${raw}' is not a valid template segment`);
      else segments.push({ kind: "literal", text: safeDecode(raw).toLowerCase() });
    });
    const constraints: QueryConstraint[] = [];
    let soapAction: QueryConstraint | undefined;
    for (const pair of queryPart ? queryPart.split("&").filter(Boolean) : []) {
      const [name = "", value = ""] = splitOnce(pair, "=");
      const param = PARAM.exec(value);
      const constraint: QueryConstraint = param ? { name, param: param[1] as string } : { name, literal: value };
      if (soap && name.toLowerCase() === "soapaction") soapAction = constraint;
      else constraints.push(constraint);
    }
    const rank = segments.map((s) => (s.kind === "literal" ? "0" : "1")).join("") + (wildcard ? "2" : "");
    // Longer literal-first paths sort first; query constraints break ties (more constrained wins).
    const specificity = `${rank.padEnd(64, "3")}${String(99 - constraints.length - (soapAction ? 1 : 0)).padStart(2, "0")}`;
    return new UrlTemplate(source, segments, wildcard, constraints, soapAction, specificity);
  }

  get parameterNames(): string[] {
    const names = this.segments.flatMap((s) => (s.kind === "param" ? [s.name] : []));
    for (const q of this.queryConstraints) if (q.param) names.push(q.param);
    return names;
  }

  /** Query parameter names the template declares (rewrite-uri's copy-unmatched-params leaves these out). */
  get queryNames(): string[] {
    return this.queryConstraints.map((q) => q.name);
  }

  match(input: MatchInput): TemplateMatch | undefined {
    const { segments } = input;
    if (this.wildcard ? segments.length < this.segments.length : segments.length !== this.segments.length) {
      return undefined;
    }
    let params: Map<string, string> | undefined;
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i] as Segment;
      const actual = segments[i] as string;
      if (segment.kind === "literal") {
        if (segment.text !== actual.toLowerCase() && segment.text !== safeDecode(actual).toLowerCase())
          return undefined;
      } else {
        (params ??= new Map()).set(segment.name, safeDecode(actual));
      }
    }
    if (this.wildcard && this.wildcard !== "*") {
      (params ??= new Map()).set(this.wildcard, segments.slice(this.segments.length).map(safeDecode).join("/"));
    }
    for (const constraint of this.queryConstraints) {
      const value = input.query.get(constraint.name);
      if (value === null) return undefined;
      if (constraint.literal !== undefined && constraint.literal !== value) return undefined;
      if (constraint.param) (params ??= new Map()).set(constraint.param, value);
    }
    if (this.soapAction) {
      const action = input.soapAction;
      if (action === undefined) return undefined;
      if (this.soapAction.literal !== undefined && this.soapAction.literal !== action) return undefined;
      if (this.soapAction.param) (params ??= new Map()).set(this.soapAction.param, action);
    }
    return { params: params ?? EMPTY };
  }
}

const EMPTY: Map<string, string> = new Map();

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
