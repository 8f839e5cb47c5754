import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";
import { trustingConnect } from "../../util/trusted-tls.js";

/** A fetch for the identity service and Graph, and what to close when the client is done with it. */
export interface Transport {
  fetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

/**
 * The global fetch, or — with extra CA certificates (the local Gatehouse CA) — undici's over one keep-alive agent that
 * trusts them besides the usual roots.
 */
export function transport(extraCa: readonly string[]): Transport {
  const connect = trustingConnect(extraCa);
  if (!connect) return { fetch: (input, init) => globalThis.fetch(input, init), close: async () => undefined };
  const agent = new Agent({ connect });
  // undici's Request/Response types differ from the global ones in name only.
  const fetch = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as UndiciRequestInit), dispatcher: agent })) as unknown as typeof globalThis.fetch;
  return { fetch, close: () => agent.close() };
}
