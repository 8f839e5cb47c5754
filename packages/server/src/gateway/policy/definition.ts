/**
 * The contract between the policy engine and the policies: each policy is one file exporting a PolicyDefinition,
 * which turns a checked XML element into a Step once, when the document is loaded. Steps are immutable and shared by
 * every pipeline (and every request) that includes them.
 */
import type { Backend } from "../model/backends/types.js";
import type { CertificateIndex } from "../model/certificates/lookup.js";
import type { Operation } from "../model/operations/types.js";
import type { PolicyScopeKind } from "../model/configuration.js";
import type { PipelineContext, Section } from "../pipeline/context.js";
import type { KeySources } from "../jwt/key-sources.js";
import type { GatewayState } from "../state/gateway-state.js";

/** A position in the policy document, 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A document refused at load time: it does not parse, names an unknown policy or attribute, or a bad value. */
export class PolicyLoadError extends Error {
  override name = "PolicyLoadError";
  constructor(
    readonly detail: string,
    readonly position: SourcePosition | undefined,
  ) {
    super(position ? `${detail} (line ${position.line}, column ${position.column})` : detail);
  }
}

/**
 * A policy refused the request (validate-jwt, check-header …) or a step failed at run time. The pipeline records it
 * as `context.LastError`, runs on-error and, unless on-error answered, sends `{ statusCode, message }`.
 */
export class PolicyFailure extends Error {
  override name = "PolicyFailure";
  constructor(
    readonly status: number,
    /** The message the client sees in the body. */
    readonly clientMessage: string,
    /** LastError.Source: the policy name or a built-in step (`configuration`, `forward-request` …). */
    readonly source: string,
    /** LastError.Reason, e.g. `TokenExpired`. */
    readonly reason: string,
    /** LastError.Message: the detailed reason, for traces and logs, never sent to the client by default. */
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** 5xx bodies carry APIM's `activityId`. */
    readonly withActivityId = false,
    /** The status line's reason phrase when it is not the standard one ("Access Denied" for key refusals). */
    readonly statusText?: string,
  ) {
    super(message);
  }
}

/**
 * A value that may be a policy expression (reference apim.md §3.1). Policies precompute from `constant` when the
 * document gave literal text, and evaluate per request otherwise.
 */
export interface PolicyValue {
  /** The literal text (named values substituted), or undefined for an expression. */
  readonly constant: string | undefined;
  /** The value for this request: the expression's typed result, or the literal string. */
  evaluate(context: PipelineContext): unknown;
  /** As text, as C#'s ToString gives it (`True`/`False`, "" for null). */
  text(context: PipelineContext): string;
  /** As a condition: a bool result, or literal `true`/`false`; anything else fails the request. */
  condition(context: PipelineContext): boolean;
}

/**
 * The checked view of one policy element. Accessors substitute named values (`{{name}}`) and record what was read;
 * after `compile` returns, any attribute or child element the policy did not read is a load error at its position.
 */
export interface PolicyElement {
  readonly name: string;
  readonly position: SourcePosition;
  /** The element's `id` attribute (LastError.PolicyId). */
  readonly id: string | undefined;
  /** An attribute's value (named values substituted), or undefined. */
  attribute(name: string): string | undefined;
  requiredAttribute(name: string): string;
  /** `true`/`false` (case-insensitive); anything else is a load error. */
  booleanAttribute(name: string, fallback: boolean): boolean;
  /** An integer within [min, max]; anything else is a load error. */
  integerAttribute(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  /** One of the allowed values (case-insensitive match, returned in the allowed spelling). */
  enumAttribute<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  attributePosition(name: string): SourcePosition;
  /** Child elements with this name, in document order. */
  children(name: string): PolicyElement[];
  /** All child elements, for containers (return-response, choose); marks every one read. */
  allChildren(): PolicyElement[];
  /** Text content (named values substituted), trimmed; "" when empty. */
  text(): string;
  /**
   * An attribute that may hold a policy expression, compiled now; undefined when absent. The plain accessors above
   * refuse expressions: APIM documents which attributes take them.
   */
  valueAttribute(name: string): PolicyValue | undefined;
  requiredValueAttribute(name: string): PolicyValue;
  /** Text content that may be a policy expression (`@(…)`/`@{…}` as the whole content); "" when empty. */
  valueText(): PolicyValue;
  /**
   * The content as written, child elements as XML markup (a Liquid template may build a SOAP envelope), trimmed.
   * Only named values that exist are substituted: any other `{{…}}` is the template's own. Marks all content read.
   */
  templateText(): { text: string; position: SourcePosition };
  /**
   * Named values substituted into text the policy brings in from elsewhere (a backend entity's URL and credentials);
   * an unknown one is a load error at `attribute` (or at the element).
   */
  withNamedValues(text: string, attribute?: string): string;
  /** A load error at this element (or at one of its attributes). */
  error(message: string, attribute?: string): PolicyLoadError;
}

export type MessageTarget = "request" | "response";

/** What compiling a policy may consult. All of it is part of one immutable configuration version. */
export interface CompileEnvironment {
  scope: PolicyScopeKind;
  section: Section;
  /** Backend entities by name, for set-backend-service backend-id. */
  backends: ReadonlyMap<string, Backend>;
  /** Certificate entities by name (authentication-certificate, validate-jwt's key, backends' certificateIds). */
  certificates: CertificateIndex;
  /** The operation the document belongs to (operation scope only), for mock-response and rewrite-uri. */
  operation: Operation | undefined;
  /**
   * The message set-header, set-body … change: the request in inbound and backend, the response in outbound and
   * on-error, and the response being built inside return-response.
   */
  target: MessageTarget;
  /**
   * Compiles nested policy elements (return-response's children, later choose/when), by default for the same target;
   * return-response passes "response".
   */
  compileChildren(elements: readonly PolicyElement[], allowed?: readonly string[], target?: MessageTarget): Step[];
  /** Long-lived services policies share across configuration versions (key caches, HTTP agents). */
  services: PolicyServices;
}

/** Long-lived, shared across configuration versions, so caches survive a reload. */
export interface PolicyServices {
  /** openid-config / JWKS documents, fetched and cached for validate-jwt and validate-azure-ad-token. */
  readonly keySources: KeySources;
  /** Base URL validate-azure-ad-token builds `{authority}/{tenant-id}/v2.0/...` from (Gatehouse identity or Entra). */
  readonly azureAdAuthority: string;
  /** Rate and quota counters and the cache: in process, or in Redis shared by every gateway process (--redis). */
  readonly state: GatewayState;
}

/** A compiled statement. `run` may return a promise; steps that need no I/O return nothing, to avoid one per call. */
export interface Step {
  readonly policy: string;
  readonly id: string | undefined;
  run(context: PipelineContext): void | Promise<void>;
}

export interface PolicyDefinition {
  readonly name: string;
  /** Sections where APIM allows the policy. */
  readonly sections: readonly Section[];
  /** Scopes where APIM allows the policy; all when absent. */
  readonly scopes?: readonly PolicyScopeKind[];
  /** APIM allows the policy only once per policy document, or once per section of it. */
  readonly once?: "document" | "section";
  compile(element: PolicyElement, environment: CompileEnvironment): Step;
}
