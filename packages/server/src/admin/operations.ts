/**
 * An admin API operation described once: the same description registers the fastify route and writes its part of
 * /openapi.json (openapi.ts), so the document cannot drift from what is served.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import type { z } from "zod";
import type { Tenant } from "../identity/model.js";
import type { Query, QueryOption } from "./odata.js";

/** HEAD is served on its own where API Management has no GET (a membership check); elsewhere fastify answers it. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface OperationResult {
  status: 200 | 201 | 204;
  body?: unknown;
  headers?: Record<string, string>;
  /** With a string body: the body is sent as it is, with this media type, instead of as the dialect's JSON. */
  contentType?: string;
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

/** A documented query or header parameter that is not one of Graph's OData options. */
export interface ParameterSpec {
  name: string;
  in: "query" | "header";
  description: string;
  schema: Record<string, unknown>;
}

/**
 * How a family of routes speaks HTTP: Microsoft Graph (graph-dialect.ts) or Azure Resource Manager (apim/dialect.ts).
 * Operations are described the same way in both; the dialect decides the error bodies, the JSON flavour and how
 * query options and bodies are checked.
 */
export interface Dialect {
  /** Content type of JSON responses. */
  readonly contentType: string;
  /** Refuses query options the operation does not support, where the dialect is strict about them. */
  checkQuery(query: Query, op: Operation): void;
  /** Validates a request body against the operation's schema. */
  parseBody(schema: z.ZodType, body: unknown): unknown;
  methodNotAllowed(method: string): Error;
  /** Sets up the encapsulated context the dialect's routes live in (error and not-found handling, body parsers). */
  install?(app: FastifyInstance): void;
  /** For /openapi.json: the error body and how it is described. */
  readonly errorSchema: z.ZodType;
  readonly errorDescription: string;
}

interface OperationSpec<S extends z.ZodType | undefined> {
  method: HttpMethod;
  /** OpenAPI-style template below the mount prefix, e.g. `/applications/{id}/addPassword`. */
  path: string;
  summary: string;
  tag: string;
  /** Also serve Graph's alternate-key form, `/applications(appId='{appId}')/…`, in place of `/{id}`. */
  alternateKey?: "appId";
  query?: readonly QueryOption[];
  parameters?: readonly ParameterSpec[];
  body?: S;
  /** Content types whose body arrives as text (validated by `body` like JSON), e.g. raw policy XML. */
  textBodyTypes?: readonly string[];
  /** The largest body in bytes, when it may be larger than the listener's default (1 MiB). */
  bodyLimit?: number;
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
  parameters: readonly ParameterSpec[];
  body?: z.ZodType;
  textBodyTypes: readonly string[];
  bodyLimit?: number;
  response: ResponseSpec;
  run(context: RequestContext, body: unknown): Promise<OperationResult>;
}

export function operation<S extends z.ZodType | undefined = undefined>(spec: OperationSpec<S>): Operation {
  const { handle, query, parameters, textBodyTypes, ...rest } = spec;
  return {
    ...rest,
    query: query ?? [],
    parameters: parameters ?? [],
    textBodyTypes: textBodyTypes ?? [],
    run: (context, body) => handle({ ...context, body: body as BodyOf<S> }),
  };
}

/** The path templates an operation is served at. */
export const templatesOf = (op: Operation): string[] =>
  op.alternateKey ? [op.path, op.path.replace("/{id}", `(${op.alternateKey}='{${op.alternateKey}}')`)] : [op.path];

/** `{id}` → `:id`; a quoted `'{appId}'` becomes a parameter that stops at the closing quote. */
export const fastifyPath = (template: string) =>
  template.replace(/'\{(\w+)\}'/g, "':$1(^[^']+)'").replace(/\{(\w+)\}/g, ":$1");

const ROUTED_METHODS: readonly HTTPMethods[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export interface MountOptions {
  /** Resolves the route's tenant; called before the body is validated when `scoped`, so an unknown tenant is a 404. */
  tenant(request: FastifyRequest): Promise<Tenant>;
  scoped: boolean;
  dialect: Dialect;
}

/** Registers the operations; other methods on the same paths answer 405 instead of 404. */
export function mountOperations(app: FastifyInstance, operations: readonly Operation[], options: MountOptions): void {
  options.dialect.install?.(app);
  for (const type of new Set(operations.flatMap((op) => op.textBodyTypes))) {
    app.addContentTypeParser(type, { parseAs: "string" }, (_request, body, done) => done(null, body));
  }
  const methodsByUrl = new Map<string, Set<HTTPMethods>>();
  for (const op of operations) {
    for (const template of templatesOf(op)) {
      const url = fastifyPath(template);
      app.route({
        method: op.method,
        url,
        ...(op.bodyLimit !== undefined ? { bodyLimit: op.bodyLimit } : {}),
        handler: (request, reply) => serve(op, request, reply, options),
      });
      const methods = methodsByUrl.get(url) ?? new Set();
      methodsByUrl.set(url, methods.add(op.method));
    }
  }
  for (const [url, methods] of methodsByUrl) {
    const others = ROUTED_METHODS.filter((m) => !methods.has(m));
    app.route({
      method: others,
      url,
      // Where HEAD is served on its own, the refused GET must not bring fastify's automatic HEAD with it.
      exposeHeadRoute: !methods.has("HEAD"),
      handler: async (request) => {
        throw options.dialect.methodNotAllowed(request.method);
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
  options.dialect.checkQuery(query, op);
  const body = op.body ? options.dialect.parseBody(op.body, request.body) : undefined;
  const result = await op.run(context, body);
  reply.code(result.status).headers(result.headers ?? {});
  if (result.body === undefined) return reply.send();
  if (result.contentType !== undefined) return reply.type(result.contentType).send(result.body);
  return reply.type(options.dialect.contentType).send(JSON.stringify(result.body));
}
