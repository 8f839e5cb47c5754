/**
 * What a traced request records (reference apim.md §4.15, `Ocp-Apim-Trace`): every policy step in order with its
 * inputs (what its expressions evaluated to), outcome and time, and the messages policies add (the trace policy, context.Trace, validate-jwt's hidden reason).
 */
import type { PolicyScopeKind } from "../model/configuration.js";
import type { Section } from "./context.js";

export type TraceSeverity = "verbose" | "information" | "error";

export interface TraceStep {
  section: Section;
  scope: PolicyScopeKind | undefined;
  /** LastError.Path form, e.g. `inbound/set-header[2]`. */
  path: string;
  policy: string;
  policyId: string | undefined;
  /** Milliseconds since the request arrived, when the step started. */
  startMs: number;
  elapsedMs: number;
  /** `ok`, or the failure that ended the section. */
  outcome: "ok" | "failed";
  /** For a failure: LastError's source, reason and message, which the client never sees. */
  error?: { source: string; reason: string; message: string };
  /** What the step's policy expressions evaluated to (a `when` condition, a counter-key …), in order. */
  inputs?: readonly TraceInput[];
}

export interface TraceInput {
  /** The element and attribute (`rate-limit-by-key counter-key`) or element text (`set-header value`). */
  name: string;
  /** The value as text, as C#'s ToString gives it. */
  value: string;
}

export interface TraceRecorder {
  /** A finished step, with the inputs its own expressions produced. */
  step(entry: TraceStep): void;
  /** An expression's value while a step runs. */
  input(name: string, value: string): void;
  /** The inputs gathered so far, replaced by `next`: a step sets its container's inputs aside while it runs. */
  swapInputs(next: TraceInput[]): TraceInput[];
  message(source: string, severity: TraceSeverity, message: string, metadata?: Readonly<Record<string, string>>): void;
}
