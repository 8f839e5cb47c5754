import { rootCertificates } from "node:tls";
import { Agent, fetch as undiciFetch } from "undici";
import type { Fetch } from "./settings.js";

/** A `fetch` that trusts one more CA besides the system roots, and the means to release its connections. */
export interface TrustingFetch {
  fetch: Fetch;
  close(): Promise<void>;
}

/**
 * Trusts Gatehouse's local CA without NODE_EXTRA_CA_CERTS (which Node reads only at start-up), so one process can
 * start Gatehouse and then call it. Against Entra ID no such fetch is needed.
 */
export function fetchTrusting(caPem: string): TrustingFetch {
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, caPem] } });
  // undici's own types describe the same fetch as the global one, from a different copy of its declarations.
  const fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher })) as unknown as Fetch;
  return { fetch, close: () => dispatcher.close() };
}
