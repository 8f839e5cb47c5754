/**
 * Bodies that policy expressions read (`context.Request.Body.As<…>()`) are read into memory before the step runs, so
 * evaluation stays synchronous; a step whose expressions read no body leaves the stream to flow to the backend.
 */
import type { Readable } from "node:stream";
import { PolicyFailure, type Step } from "../policy/definition.js";
import type { GatewayRequest, GatewayResponse, PipelineContext } from "./context.js";

/** Beyond this, a body an expression reads is refused rather than held in memory. */
export const MAX_BUFFERED_BODY = 16 * 1024 * 1024;

type Message = GatewayRequest | GatewayResponse;

async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    length += buffer.length;
    if (length > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, length);
}

function inMemory(body: Message["body"]): body is string | Buffer | undefined {
  return body === undefined || typeof body === "string" || Buffer.isBuffer(body);
}

/** Replaces a streamed body by its bytes; strings and buffers are already in memory. */
export async function bufferBody(message: Message, what: "request" | "response"): Promise<void> {
  const { body } = message;
  if (inMemory(body)) return;
  const buffered = await readAll(body, MAX_BUFFERED_BODY);
  if (buffered === undefined) {
    const detail = `The ${what} body is larger than ${MAX_BUFFERED_BODY} bytes, the most a policy expression may read`;
    throw new PolicyFailure(413, "Request entity too large", "configuration", "BodyTooLarge", detail);
  }
  message.body = buffered;
}

/**
 * Runs `then` once the message's body is in memory: at once (no promise) when it already is, after reading the
 * stream otherwise.
 */
export function withBodyInMemory(
  message: Message,
  what: "request" | "response",
  then: () => void,
): void | Promise<void> {
  if (inMemory(message.body)) return then();
  return bufferBody(message, what).then(then);
}

/** The step, preceded by buffering the bodies its expressions read. */
export function withBufferedBodies(step: Step, reads: { request: boolean; response: boolean }): Step {
  if (!reads.request && !reads.response) return step;
  const prepare = async (context: PipelineContext) => {
    if (reads.request) await bufferBody(context.request, "request");
    if (reads.response && context.response) await bufferBody(context.response, "response");
  };
  return {
    policy: step.policy,
    id: step.id,
    run: (context) => prepare(context).then(() => step.run(context)),
  };
}
