/**
 * Runs an effective pipeline for one request (reference apim.md §1.3–1.4): inbound, backend, outbound; on a failure
 * the rest is skipped, context.LastError is set, the gateway's error response prepared, and on-error runs.
 */
import { PolicyFailure, type Step } from "../policy/definition.js";
import type { Pipeline, PipelineStep } from "../policy/pipeline.js";
import type { PipelineContext, Section } from "./context.js";
import { emptyResponse, gatewayError } from "./gateway-error.js";

const MAIN_SECTIONS: readonly Section[] = ["inbound", "backend", "outbound"];

export async function executePipeline(pipeline: Pipeline, context: PipelineContext): Promise<void> {
  let current: PipelineStep | undefined;
  try {
    for (let s = 0; s < MAIN_SECTIONS.length; s++) {
      const section = MAIN_SECTIONS[s] as Section;
      context.section = section;
      const steps = pipeline[section];
      for (let i = 0; i < steps.length; i++) {
        current = steps[i] as PipelineStep;
        const pending = current.step.run(context);
        // Most steps need no I/O and return nothing: awaiting only promises keeps them off the microtask queue.
        if (pending !== undefined) await pending;
        if (context.ended) return;
      }
      // No forward-request ran: outbound starts from what policies set, or APIM's empty 200.
      if (section === "backend") context.response ??= emptyResponse();
    }
  } catch (error) {
    await handleFailure(pipeline, context, current, error);
  }
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
  const failure = error instanceof PolicyFailure ? error : internalFailure(failed, error);
  context.lastError = {
    source: failure.source,
    reason: failure.reason,
    message: failure.message,
    scope: failed?.scope,
    section: context.section,
    path: failed?.path,
    policyId: failed?.step.id,
  };
  context.services.rejected(failure.source, failure.reason);
  context.response = failureResponse(failure, context);
  context.section = "on-error";
  const steps = pipeline["on-error"];
  try {
    for (let i = 0; i < steps.length && !context.ended; i++) {
      const pending = (steps[i] as PipelineStep).step.run(context);
      if (pending !== undefined) await pending;
    }
  } catch {
    // A failing on-error handler cannot improve on the original failure: answer with it.
    context.response = failureResponse(failure, context);
  }
}

/** Any error that is not a policy's decision: a 500 whose body says nothing of the cause. */
function internalFailure(failed: PipelineStep | undefined, error: unknown): PolicyFailure {
  const detail = error instanceof Error ? error.message : String(error);
  return new PolicyFailure(
    500,
    "Internal server error",
    failed?.step.policy ?? "pipeline",
    "Unknown",
    detail,
    {},
    true,
  );
}

function failureResponse(failure: PolicyFailure, context: PipelineContext) {
  return gatewayError(failure.status, failure.clientMessage, {
    headers: failure.headers,
    activityId: failure.withActivityId ? context.requestId : undefined,
    reason: failure.statusText,
  });
}

/**
 * Runs nested steps in order (return-response's children), synchronously while they are: a promise is returned only
 * once a step returns one.
 */
export function runSteps(steps: readonly Step[], context: PipelineContext, from = 0): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    const pending = (steps[i] as Step).run(context);
    if (pending !== undefined) return pending.then(() => runSteps(steps, context, i + 1));
  }
}
