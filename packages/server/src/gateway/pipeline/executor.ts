/**
 * Runs an effective pipeline for one request (reference apim.md §1.3–1.4): inbound, backend, outbound; on a failure
 * the rest is skipped, context.LastError is set, the gateway's error response prepared, and on-error runs.
 */
import { PolicyFailure, type Step } from "../policy/definition.js";
import { siblingLabeller, type Pipeline, type PipelineStep } from "../policy/pipeline.js";
import { ExpressionEvaluationError } from "../expressions/errors.js";
import type { PipelineContext, Section } from "./context.js";
import type { TraceRecorder } from "./trace.js";
import type { PolicyScopeKind } from "../model/configuration.js";
import { emptyResponse, gatewayError } from "./gateway-error.js";

const MAIN_SECTIONS: readonly Section[] = ["inbound", "backend", "outbound"];

export async function executePipeline(pipeline: Pipeline, context: PipelineContext): Promise<void> {
  let current: PipelineStep | undefined;
  try {
    sections: for (let s = 0; s < MAIN_SECTIONS.length; s++) {
      const section = MAIN_SECTIONS[s] as Section;
      context.section = section;
      const steps = pipeline[section];
      for (let i = 0; i < steps.length; i++) {
        current = steps[i] as PipelineStep;
        const pending = runStep(current, context);
        // Most steps need no I/O and return nothing: awaiting only promises keeps them off the microtask queue.
        if (pending !== undefined) await pending;
        if (context.ended) break sections;
        // The outbound section is the third: continuing the outer loop from the second lands there.
        if (context.skipToOutbound && s < 2) {
          s = 1;
          continue sections;
        }
      }
      // No forward-request ran: outbound starts from what policies set, or APIM's empty 200.
      if (section === "backend") context.response ??= emptyResponse();
    }
  } catch (error) {
    await handleFailure(pipeline, context, current, error);
  }
  if (context.completions.length > 0) await runCompletions(context);
}

/** Completion work never changes the answer: a failure there is logged by its owner, not sent to the client. */
async function runCompletions(context: PipelineContext): Promise<void> {
  for (const completion of context.completions) {
    try {
      await completion();
    } catch {
      // Each completion reports its own failures (Redis down, for instance); the response stands.
    }
  }
}

/** A pipeline step, recorded in the trace when the request is traced. */
function runStep(current: PipelineStep, context: PipelineContext): void | Promise<void> {
  return context.trace ? traced(current.step, current.path, current.scope, context) : current.step.run(context);
}

/**
 * Runs one step with its timing, outcome and inputs recorded in the request's trace. Steps nested in a container
 * (choose, return-response) are recorded too, under the container's path; each keeps the inputs its own expressions
 * produced, so a `when` condition stays with its choose.
 */
function traced(step: Step, path: string, scope: PolicyScopeKind | undefined, context: PipelineContext) {
  const trace = context.trace as TraceRecorder;
  const startMs = elapsedMs(context);
  const enclosing = { frame: context.traceFrame, inputs: trace.swapInputs([]) };
  context.traceFrame = { path, scope };
  const record = (error?: unknown) => {
    context.traceFrame = enclosing.frame;
    const inputs = trace.swapInputs(enclosing.inputs);
    const failure = error === undefined ? undefined : asFailure(step, error);
    trace.step({
      section: context.section,
      scope,
      path,
      policy: step.policy,
      policyId: step.id,
      startMs,
      elapsedMs: elapsedMs(context) - startMs,
      outcome: failure ? "failed" : "ok",
      ...(inputs.length > 0 ? { inputs } : {}),
      ...(failure ? { error: { source: failure.source, reason: failure.reason, message: failure.message } } : {}),
    });
  };
  let pending: void | Promise<void>;
  try {
    pending = step.run(context);
  } catch (error) {
    record(error);
    throw error;
  }
  if (pending === undefined) {
    record();
    return;
  }
  return pending.then(
    () => record(),
    (error: unknown) => {
      record(error);
      throw error;
    },
  );
}

function elapsedMs(context: PipelineContext): number {
  return Number(process.hrtime.bigint() - context.startedAt) / 1e6;
}

/**
 * A refusal before the pipeline runs (the subscription check): as in APIM, it is recorded as LastError (source
 * `authorization`) and the effective on-error section runs.
 */
export function failBeforePipeline(
  pipeline: Pipeline,
  context: PipelineContext,
  failure: PolicyFailure,
): Promise<void> {
  return handleFailure(pipeline, context, undefined, failure);
}

async function handleFailure(
  pipeline: Pipeline,
  context: PipelineContext,
  failed: PipelineStep | undefined,
  error: unknown,
): Promise<void> {
  const failure = asFailure(failed?.step, error);
  // A failure inside choose or return-response is reported at the nested policy, as APIM's `choose[1]/when[2]/…`.
  const inner = context.innerFailure?.error === error ? context.innerFailure : undefined;
  context.lastError = {
    source: failure.source,
    reason: failure.reason,
    message: failure.message,
    scope: failed?.scope,
    section: context.section,
    path: failed && inner ? `${failed.path}/${inner.path}` : failed?.path,
    policyId: inner ? inner.policyId : failed?.step.id,
  };
  context.services.rejected(failure.source, failure.reason);
  context.response = failureResponse(failure, context);
  context.section = "on-error";
  const steps = pipeline["on-error"];
  try {
    for (let i = 0; i < steps.length && !context.ended; i++) {
      const pending = runStep(steps[i] as PipelineStep, context);
      if (pending !== undefined) await pending;
    }
  } catch {
    // A failing on-error handler cannot improve on the original failure: answer with it.
    context.response = failureResponse(failure, context);
  }
}

/**
 * A policy's decision as it is; anything else is a 500 whose body says nothing of the cause, with APIM's reason
 * `ExpressionValueEvaluationFailure` when a policy expression threw.
 */
function asFailure(failed: Step | undefined, error: unknown): PolicyFailure {
  if (error instanceof PolicyFailure) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const reason = error instanceof ExpressionEvaluationError ? "ExpressionValueEvaluationFailure" : "Unknown";
  return new PolicyFailure(500, "Internal server error", failed?.policy ?? "pipeline", reason, detail, {}, true);
}

function failureResponse(failure: PolicyFailure, context: PipelineContext) {
  return gatewayError(failure.status, failure.clientMessage, {
    headers: failure.headers,
    activityId: failure.withActivityId ? context.requestId : undefined,
    reason: failure.statusText,
  });
}

/** The steps a container runs (a choose branch, return-response's children), each with its LastError.Path label. */
export interface NestedSteps {
  readonly steps: readonly Step[];
  /** e.g. `when[2]/set-header[1]`: the step's place among same-named siblings, after the container's prefix. */
  readonly labels: readonly string[];
}

export function nestedSteps(steps: readonly Step[], prefix = ""): NestedSteps {
  const label = siblingLabeller(prefix);
  return { steps, labels: steps.map((step) => label(step.policy)) };
}

/**
 * Runs nested steps in order, synchronously while they are: a promise is returned only once a step returns one. A
 * step that ends the pipeline (return-response in a branch) ends them too. A failure is located for LastError.
 */
export function runSteps(nested: NestedSteps, context: PipelineContext, from = 0): void | Promise<void> {
  const { steps } = nested;
  for (let i = from; i < steps.length && !context.ended; i++) {
    let pending: void | Promise<void>;
    try {
      const step = steps[i] as Step;
      const frame = context.traceFrame;
      pending =
        context.trace && frame
          ? traced(step, `${frame.path}/${nested.labels[i] as string}`, frame.scope, context)
          : step.run(context);
    } catch (error) {
      throw locate(error, nested, i, context);
    }
    if (pending !== undefined) {
      return pending.then(
        () => runSteps(nested, context, i + 1),
        (error: unknown) => {
          throw locate(error, nested, i, context);
        },
      );
    }
  }
}

/** Records where a nested failure happened, prefixing what an inner container already recorded for the same error. */
function locate(error: unknown, nested: NestedSteps, i: number, context: PipelineContext): unknown {
  const label = nested.labels[i] as string;
  const inner = context.innerFailure;
  context.innerFailure =
    inner !== undefined && inner.error === error
      ? { error, path: `${label}/${inner.path}`, policyId: inner.policyId }
      : { error, path: label, policyId: (nested.steps[i] as Step).id };
  return error;
}
