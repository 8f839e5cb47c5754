/**
 * Bandwidth quotas (reference apim.md §2.6–2.7) count the bytes of request and response bodies without holding them:
 * a body in memory is measured at once, a stream is wrapped in a counter it flows through.
 */
import { Transform, finished, pipeline, type Readable } from "node:stream";

interface Message {
  body: Readable | Buffer | string | undefined;
}

export interface BodyMeter {
  /** The bytes that have passed so far (all of them once the body has been sent). */
  readonly bytes: number;
  /** Lets a stream nobody consumed (no forward-request) run out, so the client's connection can be reused. */
  drain(): void;
}

/** Measures the message's body; `onEnd` hears the total once it has all passed (or the stream stopped). */
export function meterBody(message: Message, onEnd?: (bytes: number) => void): BodyMeter {
  const { body } = message;
  if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) {
    const bytes = body === undefined ? 0 : Buffer.byteLength(body);
    onEnd?.(bytes);
    return { bytes, drain: () => undefined };
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  // pipeline(), unlike pipe(), destroys the counter when the client's stream fails, so nobody waits on it forever.
  message.body = pipeline(body, counter, () => undefined);
  if (onEnd) finished(counter, () => onEnd(bytes));
  return {
    get bytes() {
      return bytes;
    },
    drain() {
      if (counter.readableFlowing !== true) counter.resume();
    },
  };
}
