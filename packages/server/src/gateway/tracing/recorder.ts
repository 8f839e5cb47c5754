/**
 * One traced request's record (reference apim.md §4.15): the request as it arrived, credentials redacted (by name:
 * observability/credential-names.ts; by value: secret-values.ts); every
 * policy step in order with its time and outcome (a failure with LastError's source, reason and the detailed message
 * the client never sees); the trace policy's and context.Trace's messages; the backend exchange; the response.
 * Sizes are bounded so one request cannot make a huge record.
 */
import { CredentialNames, REDACTED } from "../../observability/credential-names.js";
import type { Api } from "../model/apis/types.js";
import type { GatewayRequest, GatewayResponse, LastError, PipelineContext } from "../pipeline/context.js";
import { backendLocation } from "../pipeline/backend-url.js";
import type { HeaderMap } from "../pipeline/headers.js";
import type { TraceInput, TraceRecorder, TraceSeverity, TraceStep } from "../pipeline/trace.js";
import { SecretValues } from "./secret-values.js";

const MAX_STEPS = 500;
const MAX_MESSAGES = 200;
const MAX_INPUTS_PER_STEP = 50;
const MAX_TEXT = 8192;

export type TraceTrigger = "header" | "api";

export interface TraceMessage {
  source: string;
  severity: TraceSeverity;
  message: string;
  metadata?: Readonly<Record<string, string>>;
  /** Milliseconds since the request arrived. */
  atMs: number;
}

export interface BackendRecord {
  /** The backend URL as forwarded (without the backend entity's credential parameters). */
  url: string;
  startMs: number;
  elapsedMs?: number;
  status?: number;
  /** LastError-style reason when the backend could not be reached. */
  failure?: { reason: string; message: string };
}

export interface TraceDocument {
  id: string;
  api: string;
  operation: string;
  /** Why the request was traced: its Ocp-Apim-Trace header, or tracing turned on for the API. */
  trigger: TraceTrigger;
  startedAt: string;
  request: { method: string; url: string; ipAddress: string; headers: Record<string, string[]> };
  steps: TraceStep[];
  messages: TraceMessage[];
  backend?: BackendRecord;
  response: { status: number; reason: string; headers: Record<string, string[]> };
  lastError?: LastError;
  /** Steps or messages left out past the limits. */
  omitted?: number;
  elapsedMs: number;
}

export class RequestTrace implements TraceRecorder {
  private readonly steps: TraceStep[] = [];
  private readonly messages: TraceMessage[] = [];
  /** Inputs of the step now running, attached when it is recorded. */
  private inputs: TraceInput[] = [];
  private backend: BackendRecord | undefined;
  private omitted = 0;
  private readonly startedAtIso = new Date().toISOString();
  private readonly request: TraceDocument["request"];

  constructor(
    readonly id: string,
    private readonly startedAt: bigint,
    readonly trigger: TraceTrigger,
    private readonly api: Api,
    request: GatewayRequest,
    private readonly names: CredentialNames = new CredentialNames(),
    private readonly secrets: SecretValues = new SecretValues([]),
  ) {
    const { header, query } = api.subscriptionKeyParameterNames;
    this.request = {
      method: request.method,
      url: names.redact(request.originalUrl.href, query),
      ipAddress: request.ipAddress,
      headers: redactedHeaders(request.headers, names, header),
    };
  }

  step(entry: TraceStep): void {
    if (this.steps.length < MAX_STEPS) this.steps.push(entry);
    else this.omitted++;
  }

  swapInputs(next: TraceInput[]): TraceInput[] {
    const current = this.inputs;
    this.inputs = next;
    return current;
  }

  input(name: string, value: string): void {
    // An expression's value may be a URL (send-request's set-url, rewrite-uri): its credential parameters are hidden.
    if (this.inputs.length < MAX_INPUTS_PER_STEP) this.inputs.push({ name, value: clip(this.names.redact(value)) });
    else this.omitted++;
  }

  message(source: string, severity: TraceSeverity, message: string, metadata?: Readonly<Record<string, string>>): void {
    if (this.messages.length >= MAX_MESSAGES) {
      this.omitted++;
      return;
    }
    this.messages.push({
      source: clip(source),
      severity,
      message: clip(this.names.redact(message)),
      ...(metadata
        ? {
            metadata: Object.fromEntries(
              Object.entries(metadata).map(([k, v]) => [clip(k), clip(this.names.redact(v))]),
            ),
          }
        : {}),
      atMs: this.elapsedMs(),
    });
  }

  /** forward-request is about to call the backend. */
  backendRequested(context: PipelineContext): void {
    const { origin, path } = backendLocation(context);
    const url = `${origin}${path}`;
    this.backend = {
      url: this.names.redact(url, this.api.subscriptionKeyParameterNames.query),
      startMs: this.elapsedMs(),
    };
  }

  backendAnswered(status: number | undefined): void {
    if (!this.backend) return;
    this.backend.elapsedMs = this.elapsedMs() - this.backend.startMs;
    if (status !== undefined) this.backend.status = status;
  }

  backendFailed(reason: string, message: string): void {
    if (!this.backend) return;
    this.backend.elapsedMs = this.elapsedMs() - this.backend.startMs;
    this.backend.failure = { reason, message: clip(message) };
  }

  /** The record, once the response has been sent, with every secret value hidden wherever it appears. */
  finish(context: PipelineContext, response: GatewayResponse): TraceDocument {
    return this.secrets.hideIn({
      id: this.id,
      api: this.api.name,
      operation: context.operation.name,
      trigger: this.trigger,
      startedAt: this.startedAtIso,
      request: this.request,
      // A container finishes after the steps nested in it: in the record, steps are in the order they started.
      steps: [...this.steps].sort((a, b) => a.startMs - b.startMs),
      messages: this.messages,
      ...(this.backend ? { backend: this.backend } : {}),
      response: {
        status: response.statusCode,
        reason: response.statusReason,
        headers: redactedHeaders(response.headers, this.names),
      },
      ...(context.lastError ? { lastError: context.lastError } : {}),
      ...(this.omitted > 0 ? { omitted: this.omitted } : {}),
      elapsedMs: this.elapsedMs(),
    });
  }

  private elapsedMs(): number {
    return Math.round(Number(process.hrtime.bigint() - this.startedAt) / 1e4) / 100;
  }
}

/** Credential headers hidden: the scheme of an Authorization value is kept, the rest replaced. */
function redactedHeaders(headers: HeaderMap, names: CredentialNames, keyHeader?: string): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [name, values] of headers) {
    const lower = name.toLowerCase();
    record[name] = names.has(lower, keyHeader)
      ? values.map((value) => (lower.endsWith("authorization") ? redactCredentials(value) : REDACTED))
      : values.map((value) => clip(names.redact(value)));
  }
  return record;
}

/** `Bearer eyJ…` → `Bearer ***`. */
function redactCredentials(value: string): string {
  const space = value.indexOf(" ");
  return space > 0 ? `${value.slice(0, space)} ${REDACTED}` : REDACTED;
}

const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
