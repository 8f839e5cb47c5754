import { randomBytes } from "node:crypto";
import { CertificateIndex } from "../../src/gateway/model/certificates/lookup.js";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { masterKeyFromBytes } from "../../src/crypto/master-key.js";
import { KeySources, type KeySourcesOptions } from "../../src/gateway/jwt/key-sources.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import type { PipelineContext } from "../../src/gateway/pipeline/context.js";
import { harness } from "../gateway-policy/helpers.js";
import {
  PolicyFailure,
  PolicyLoadError,
  type PolicyDefinition,
  type PolicyServices,
  type Step,
} from "../../src/gateway/policy/definition.js";
import { XmlPolicyElement } from "../../src/gateway/policy/element.js";
import { parseXml } from "../../src/gateway/policy/xml.js";
import { ensureLocalTls, type LocalTls } from "../../src/tls/local-ca.js";

// ---- policy elements written as plain objects, read by the engine's own element ----

export interface ElementSpec {
  name: string;
  attributes: Record<string, string>;
  children: ElementSpec[];
  text: string;
}

/** `el("audience", {}, "api://x")`: string children are the element's text. */
export function el(
  name: string,
  attributes: Record<string, string> = {},
  ...children: (ElementSpec | string)[]
): ElementSpec {
  return {
    name,
    attributes,
    children: children.filter((c): c is ElementSpec => typeof c !== "string"),
    text: children.filter((c): c is string => typeof c === "string").join(""),
  };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function xmlOf(spec: ElementSpec): string {
  const attributes = Object.entries(spec.attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join("");
  return `<${spec.name}${attributes}>${escapeXml(spec.text)}${spec.children.map(xmlOf).join("")}</${spec.name}>`;
}

export function compile(definition: PolicyDefinition, spec: ElementSpec, services: PolicyServices): Step {
  const element = new XmlPolicyElement(parseXml(xmlOf(spec)), new Map());
  const step = definition.compile(element, {
    scope: "api",
    section: "inbound",
    backends: new Map(),
    certificates: new CertificateIndex([]),
    operation: undefined,
    target: "request",
    compileChildren: () => [],
    services,
  });
  element.verifyConsumed();
  return step;
}

/** The load error message compiling `spec` throws. */
export function loadError(definition: PolicyDefinition, spec: ElementSpec, services: PolicyServices): string {
  try {
    compile(definition, spec, services);
  } catch (error) {
    if (error instanceof PolicyLoadError) return error.detail;
    throw error;
  }
  throw new Error("the policy loaded");
}

// ---- pipeline context and running a step ----

/** A request context with these headers and query, as the engine's tests build it. */
export function requestContext(request: { headers?: Record<string, string>; query?: string } = {}): PipelineContext {
  return harness({ ...request, path: "/x" }).context;
}

export interface Outcome {
  /** run returned without a promise. */
  sync: boolean;
  failure: PolicyFailure | undefined;
}

export async function runStep(step: Step, context: PipelineContext): Promise<Outcome> {
  let result: void | Promise<void>;
  try {
    result = step.run(context);
  } catch (error) {
    if (error instanceof PolicyFailure) return { sync: true, failure: error };
    throw error;
  }
  if (!(result instanceof Promise)) return { sync: true, failure: undefined };
  try {
    await result;
    return { sync: false, failure: undefined };
  } catch (error) {
    if (error instanceof PolicyFailure) return { sync: false, failure: error };
    throw error;
  }
}

/** Runs the step with `Authorization: Bearer <token>`; returns the failure's reason, or "ok". */
export async function verdict(step: Step, token: string, headers: Record<string, string> = {}): Promise<string> {
  const { failure } = await runStep(
    step,
    requestContext({ headers: { Authorization: `Bearer ${token}`, ...headers } }),
  );
  return failure?.reason ?? "ok";
}

// ---- signing keys and tokens ----

export interface TestKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  /** The public JWK as a JWKS publishes it. */
  jwk: JWK;
}

export async function signingKey(alg: string, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: "sig" } };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function sign(
  key: Pick<TestKey, "alg" | "kid" | "privateKey">,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ exp: nowSeconds() + 600, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A token with `alg: none` and no signature. */
export function unsignedToken(claims: JWTPayload): string {
  return `${segment({ alg: "none", typ: "JWT" })}.${segment({ exp: nowSeconds() + 600, ...claims })}.`;
}

/** The same token with one signature character changed: still well-formed, no longer valid. */
export function tamper(token: string): string {
  const [header, payload, signature = ""] = token.split(".");
  const at = Math.floor(signature.length / 2);
  const swapped = signature[at] === "A" ? "B" : "A";
  return `${header}.${payload}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;
}

// ---- a document server standing in for an issuer ----

export interface DocumentServer {
  readonly base: string;
  url(path: string): string;
  /** Serves `body` (JSON-encoded unless a string) at `path`. */
  set(path: string, body: unknown, status?: number): void;
  hits(path: string): number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (HTTPS when given a certificate) serving settable documents and counting requests. */
export async function documentServer(tls?: Pick<LocalTls, "cert" | "key">): Promise<DocumentServer> {
  const documents = new Map<string, { status: number; body: string }>();
  const counts = new Map<string, number>();
  const handler: http.RequestListener = (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const document = documents.get(path);
    res.writeHead(document?.status ?? 404, { "content-type": "application/json" });
    res.end(document?.body ?? "{}");
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: (path) => `${base}${path}`,
    set(path, body, status = 200) {
      documents.set(path, { status, body: typeof body === "string" ? body : JSON.stringify(body) });
    },
    hits: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An issuer: openid-config at /openid naming `issuer` and /jwks, which publishes `keys`. */
export async function issuer(
  keys: TestKey[],
  options: { tls?: LocalTls; issuer?: string } = {},
): Promise<DocumentServer & { configUrl: string; issuer: string; publish(keys: TestKey[]): void }> {
  const server = await documentServer(options.tls);
  const name = options.issuer ?? `${server.base}/tenant/v2.0`;
  server.set("/openid", { issuer: name, jwks_uri: server.url("/jwks") });
  const publish = (list: TestKey[]) => server.set("/jwks", { keys: list.map((k) => k.jwk) });
  publish(keys);
  return Object.assign(server, { configUrl: server.url("/openid"), issuer: name, publish });
}

/** A local CA and a leaf for 127.0.0.1, made by Gatehouse's own local-CA code in a temporary directory. */
export async function localTls(): Promise<LocalTls> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-jwt-tls-"));
  try {
    return await ensureLocalTls(dir, masterKeyFromBytes(randomBytes(32)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function services(keySources: KeySources, azureAdAuthority = "http://127.0.0.1:1"): PolicyServices {
  return { keySources, azureAdAuthority, state: new MemoryState() };
}

export function keySources(options: KeySourcesOptions = {}): KeySources {
  return new KeySources({ fetchTimeoutMs: 2000, ...options });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a background effect (a refresh) instead of guessing how long it takes. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}
