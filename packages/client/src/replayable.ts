/**
 * Whether a request can be sent a second time as it is: no body, or a body fetch re-reads from the start. A stream
 * is consumed by the first send, so a request with one is never repeated.
 */
export function isReplayable(input: string | URL | Request, init: RequestInit | undefined): boolean {
  const body = init?.body ?? (input instanceof Request ? input.body : undefined);
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof FormData
  );
}
