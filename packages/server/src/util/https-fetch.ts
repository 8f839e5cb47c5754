import { fetch, type RequestInit } from "undici";
import { agentTrusting } from "./trusted-tls.js";

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export class HttpError extends Error {
  override name = "HttpError";
}

/** Fetches and parses JSON, trusting a given CA file (the local Gatehouse CA) besides the system roots. */
export async function fetchJson(url: string, init: RequestInit, caPath?: string): Promise<JsonResponse> {
  const dispatcher = await agentTrusting(caPath);
  try {
    const response = await fetch(url, { ...init, ...(dispatcher ? { dispatcher } : {}) });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new HttpError(`${url} answered ${response.status} with a body that is not JSON`);
    }
    return { status: response.status, headers: response.headers as unknown as Headers, body };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new HttpError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  } finally {
    await dispatcher?.close();
  }
}
