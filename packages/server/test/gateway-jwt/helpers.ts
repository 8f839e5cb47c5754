import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { masterKeyFromBytes } from "../../src/crypto/master-key.js";
import { KeySources, type KeySourcesOptions } from "../../src/gateway/jwt/key-sources.js";
import type { PipelineContext } from "../../src/gateway/pipeline/context.js";
import { harness } from "../gateway-policy/helpers.js";
import {
  PolicyFailure,
  PolicyLoadError,
  type PolicyDefinition,
  type PolicyElement,
  type PolicyServices,
  type SourcePosition,
  type Step,
} from "../../src/gateway/policy/definition.js";
import { ensureLocalTls, type LocalTls } from "../../src/tls/local-ca.js";

// ---- a tiny PolicyElement over a plain object (the real one comes with the policy engine) ----

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

const POSITION: SourcePosition = { line: 1, column: 1 };

/** Records what the policy read so a test fails when it ignores an attribute or child, as the real engine refuses. */
class TestElement implements PolicyElement {
  readonly position = POSITION;
  readonly id: string | undefined;
  private readonly read = new Set<string>(["id"]);
  private readonly elements: TestElement[];
  private readonly readElements = new Set<TestElement>();

  constructor(private readonly spec: ElementSpec) {
    this.elements = spec.children.map((c) => new TestElement(c));
    this.id = spec.attributes.id;
  }

  get name(): string {
    return this.spec.name;
  }

  attribute(name: string): string | undefined {
    this.read.add(name);
    return this.spec.attributes[name];
  }

  requiredAttribute(name: string): string {
    const value = this.attribute(name);
    if (value === undefined || value === "") throw this.error(`Attribute '${name}' is required`);
    return value;
  }

  /** The JWT policies bring in no text from elsewhere; no named values here. */
  withNamedValues(text: string): string {
    return text;
  }

  booleanAttribute(name: string, fallback: boolean): boolean {
    const value = this.attribute(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value !== "true" && value !== "false") throw this.error(`Attribute '${name}' must be 'true' or 'false'`, name);
    return value === "true";
  }

  integerAttribute(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const value = this.attribute(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!Number.isInteger(number) || number < (range.min ?? -Infinity) || number > (range.max ?? Infinity)) {
      throw this.error(`Attribute '${name}' must be an integer in range`, name);
    }
    return number;
  }

  enumAttribute<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.attribute(name);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (match === undefined) throw this.error(`Attribute '${name}' must be one of ${allowed.join(", ")}`, name);
    return match;
  }

  attributePosition(): SourcePosition {
    return POSITION;
  }

  children(name: string): PolicyElement[] {
    const found = this.elements.filter((e) => e.name === name);
    for (const element of found) this.readElements.add(element);
    return found;
  }

  allChildren(): PolicyElement[] {
    for (const element of this.elements) this.readElements.add(element);
    return [...this.elements];
  }

  text(): string {
    return this.spec.text.trim();
  }

  error(message: string, _attribute?: string): PolicyLoadError {
    return new PolicyLoadError(message, POSITION);
  }

  verifyConsumed(): void {
    for (const name of Object.keys(this.spec.attributes)) {
      if (!this.read.has(name)) throw new Error(`attribute '${name}' of '${this.name}' was not read`);
    }
    for (const element of this.elements) {
      if (!this.readElements.has(element)) throw new Error(`element '${element.name}' in '${this.name}' was not read`);
      element.verifyConsumed();
    }
  }
}

export function compile(definition: PolicyDefinition, spec: ElementSpec, services: PolicyServices): Step {
  const element = new TestElement(spec);
  const step = definition.compile(element, {
    scope: "api",
    section: "inbound",
    backends: new Map(),
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
  return { keySources, azureAdAuthority };
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
