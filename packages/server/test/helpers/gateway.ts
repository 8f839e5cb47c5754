import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, request } from "undici";
import type { RunningGatehouse } from "../../src/server.js";

export interface GatewayReply {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

const agents = new Map<string, Agent>();

/** A request to the gateway (or any Gatehouse listener) through undici, trusting the test server's local CA. */
export async function call(
  gh: Pick<RunningGatehouse, "caPath">,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<GatewayReply> {
  const ca = gh.caPath ?? "";
  let agent = agents.get(ca);
  if (!agent) {
    agent = new Agent({ connect: { ca: [...rootCertificates, ...(ca ? [readFileSync(ca, "utf8")] : [])] } });
    agents.set(ca, agent);
  }
  const response = await request(url, {
    method: (init.method ?? "GET") as "GET",
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
    dispatcher: agent,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    statusText: response.statusText,
    headers: response.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** The same token with one signature character changed: still well-formed, no longer valid. */
export function tamper(token: string): string {
  const [header, payload, signature = ""] = token.split(".");
  const at = Math.floor(signature.length / 2);
  const swapped = signature[at] === "A" ? "B" : "A";
  return `${header}.${payload}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;
}

export const soapEnvelope = (value: string) =>
  `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <NumberToWords xmlns="http://www.dataaccess.com/webservicesserver/">
      <ubiNum>${value}</ubiNum>
    </NumberToWords>
  </soap:Body>
</soap:Envelope>`;

export const NUMBER_TO_WORDS_ACTION = "http://www.dataaccess.com/webservicesserver/NumberToWords";
