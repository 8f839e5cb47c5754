/** The request the validator makes: a GET for a discovery document or a key set. */
export interface FetchInit {
  method: "GET";
  headers: Record<string, string>;
  signal: AbortSignal;
  redirect: "manual";
}

/** The part of a fetch response the validator reads. */
export interface FetchResponse {
  status: number;
  json(): Promise<unknown>;
}

/**
 * The part of the Fetch API the validator needs. Both the global `fetch` and undici's `fetch` (with a custom
 * `dispatcher` for a private CA or a proxy) fit.
 */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** The global fetch, typed as the validator uses it. */
export const globalFetch: FetchLike = (url, init) => fetch(url, init);

/** GETs a JSON document; anything but 200 is an error. */
export async function fetchJson(fetchImpl: FetchLike, url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetchImpl(url, {
    method: "GET",
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
    redirect: "manual",
  });
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
