import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, request } from "undici";
import { startDemoBackends, type DemoBackends } from "../../src/demo/backends/index.js";
import type { RunningGatehouse } from "../../src/server.js";
import { startTestGatehouse, type TestGatehouse, type TestOptions } from "./gatehouse.js";

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
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** The source address to connect from (any of 127/8 is this host's loopback), to act as another caller. */
    localAddress?: string;
  } = {},
): Promise<GatewayReply> {
  const ca = gh.caPath ?? "";
  const agentKey = `${ca}\n${init.localAddress ?? ""}`;
  let agent = agents.get(agentKey);
  if (!agent) {
    agent = new Agent({
      connect: { ca: [...rootCertificates, ...(ca ? [readFileSync(ca, "utf8")] : [])] },
      ...(init.localAddress ? { localAddress: init.localAddress } : {}),
    });
    agents.set(agentKey, agent);
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

/** One API of a YAML `gateway:` section that sends every GET (or `method`) to `serviceUrl`; `extra` lines go into the API. */
export function apiYaml(name: string, serviceUrl: string, extra: string[] = [], method = "GET"): string {
  return [
    `    - name: ${name}`,
    `      displayName: ${name}`,
    `      path: ${name}`,
    `      serviceUrl: ${serviceUrl}`,
    ...extra.map((line) => `      ${line}`),
    "      operations:",
    `        - { name: any, displayName: Any, method: ${method}, urlTemplate: "/*" }`,
    "",
  ].join("\n");
}

/** validate-jwt of a bearer token against an openid-config and one audience. */
export function validateJwtElement(openIdConfigUrl: string, audience: string): string {
  return `
    <validate-jwt header-name="Authorization" require-scheme="Bearer">
      <openid-config url="${openIdConfigUrl}" />
      <audiences><audience>${audience}</audience></audiences>
    </validate-jwt>`;
}

/** An API-scope document: validate-jwt against an openid-config and one audience, then APIM's default forwarding. */
export function validateJwtPolicy(openIdConfigUrl: string, audience: string): string {
  return `<policies>
  <inbound>
    <base />${validateJwtElement(openIdConfigUrl, audience)}
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;
}

export interface GatewayTest {
  gh: TestGatehouse;
  backends: DemoBackends;
  stop(): Promise<void>;
}

/** The demo backends, then a Gatehouse whose configuration may point at them. */
export async function startGatewayTest(
  config: (backends: DemoBackends) => string,
  options: Omit<TestOptions, "config"> = {},
): Promise<GatewayTest> {
  const backends = await startDemoBackends({ host: "127.0.0.1" });
  try {
    const gh = await startTestGatehouse({ ...options, config: config(backends) });
    return {
      gh,
      backends,
      async stop() {
        await gh.stop();
        await backends.close();
      },
    };
  } catch (error) {
    await backends.close();
    throw error;
  }
}
