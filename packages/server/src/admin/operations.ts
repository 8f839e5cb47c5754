/**
 * An admin API operation described once: the same description registers the fastify route and writes its part of
 * /openapi.json (openapi.ts), so the document cannot drift from what is served.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import type { z } from "zod";
import type { Tenant } from "../identity/model.js";
import { graphErrors, parseBody } from "./graph-errors.js";
import { assertSupportedOptions, type Query, type QueryOption } from "./odata.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface OperationResult {
  status: 200 | 201 | 204;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, headers?: Record<string, string>): OperationResult => ({
  status: 200,
  body,
  headers,
});
export const created = (body: unknown): OperationResult => ({ status: 201, body });
export const noContent = (): OperationResult => ({ status: 204 });

export interface ResponseSpec {
  status: OperationResult["status"];
  description: string;
  schema?: z.ZodType;
  /** `entity` adds `@odata.context`; `collection` wraps items in `value`; `plain` is the schema as is. */
  shape?: "entity" | "collection" | "plain";
}

export interface RequestContext {
  request: FastifyRequest;
  query: Query;
  /** A path parameter of the route (`{name}` in the operation's path). */
  param(name: string): string;
  /** The tenant the route is scoped to (explicit `/{tenantId}/v1.0` or the default tenant). */
  tenant(): Promise<Tenant>;
}

type BodyOf<S> = S extends z.ZodType ? z.output<S> : undefined;

interface OperationSpec<S extends z.ZodType | undefined> {
  method: HttpMethod;
  /** OpenAPI-style template below the mount prefix, e.g. `/applications/{id}/addPassword`. */
  path: string;
  summary: string;
  tag: string;
  /** Also serve Graph's alternate-key form, `/applications(appId='{appId}')/…`, in place of `/{id}`. */
  alternateKey?: "appId";
  query?: readonly QueryOption[];
  body?: S;
  response: ResponseSpec;
  handle(context: RequestContext & { body: BodyOf<S> }): Promise<OperationResult>;
}

export interface Operation {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  alternateKey?: "appId";
  query: readonly QueryOption[];
  body?: z.ZodType;
  response: ResponseSpec;
  run(context: RequestContext, body: unknown): Promise<OperationResult>;
}

export function operation<S extends z.ZodType | undefined = undefined>(spec: OperationSpec<S>): Operation {
  const { handle, query, ...rest } = spec;
  return { ...rest, query: query ?? [], run: (context, body) => handle({ ...context, body: body as BodyOf<S> }) };
}

/** The path templates an operation is served at. */
export const templatesOf = (op: Operation): string[] =>
  op.alternateKey ? [op.path, op.path.replace("/{id}", `(${op.alternateKey}='{${op.alternateKey}}')`)] : [op.path];

/** `{id}` → `:id`; a quoted `'{appId}'` becomes a parameter that stops at the closing quote. */
export const fastifyPath = (template: string) =>
  template.replace(/'\{(\w+)\}'/g, "':$1(^[^']+)'").replace(/\{(\w+)\}/g, ":$1");

const GRAPH_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const ROUTED_METHODS: readonly HTTPMethods[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export interface MountOptions {
  /** Resolves the route's tenant; called before the body is validated when `scoped`, so an unknown tenant is a 404. */
  tenant(request: FastifyRequest): Promise<Tenant>;
  scoped: boolean;
}

/** Registers the operations; other methods on the same paths answer 405 instead of 404. */
export function mountOperations(app: FastifyInstance, operations: readonly Operation[], options: MountOptions): void {
  const methodsByUrl = new Map<string, Set<HTTPMethods>>();
  for (const op of operations) {
    for (const template of templatesOf(op)) {
      const url = fastifyPath(template);
      app.route({ method: op.method, url, handler: (request, reply) => serve(op, request, reply, options) });
      const methods = methodsByUrl.get(url) ?? new Set();
      methodsByUrl.set(url, methods.add(op.method));
    }
  }
  for (const [url, methods] of methodsByUrl) {
    const others = ROUTED_METHODS.filter((m) => !methods.has(m));
    app.route({
      method: others,
      url,
      handler: async () => {
        throw graphErrors.methodNotAllowed();
      },
    });
  }
}

async function serve(op: Operation, request: FastifyRequest, reply: FastifyReply, options: MountOptions) {
  const query = (request.query ?? {}) as Query;
  const params = request.params as Record<string, string | undefined>;
  let tenant: Promise<Tenant> | undefined;
  const context: RequestContext = {
    request,
    query,
    param(name) {
      const value = params[name];
      if (value === undefined) throw new Error(`route ${op.path} has no parameter '${name}'`);
      return value;
    },
    tenant: () => (tenant ??= options.tenant(request)),
  };
  if (options.scoped) await context.tenant();
  assertSupportedOptions(query, op.query);
  const body = op.body ? parseBody(op.body, withoutAnnotations(request.body ?? {})) : undefined;
  const result = await op.run(context, body);
  reply.code(result.status).headers(result.headers ?? {});
  if (result.body === undefined) return reply.send();
  return reply.type(GRAPH_JSON).send(JSON.stringify(result.body));
}

/** Graph SDKs add `@odata.type` and similar annotations to bodies; they carry nothing we store. */
function withoutAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith("@odata."))
      .map(([key, v]) => [key, withoutAnnotations(v)]),
  );
}
