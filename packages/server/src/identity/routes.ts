import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { routingRefusal } from "../listener/routing-refusal.js";
import { AadstsError, aadsts, entraErrorResponse } from "./errors.js";
import { TENANT_TEMPLATE, instanceDiscovery, v1Configuration, v2Configuration } from "./discovery.js";
import type { Issuers } from "./issuers.js";
import type { IdentityRuntime } from "./runtime.js";
import type { Endpoint } from "./token/request.js";
import type { TokenService } from "./token/token-service.js";
import type { CredentialThrottle } from "../security/credential-throttle.js";
import { managedIdentityRoutes } from "./managed-identities/endpoints.js";

const TENANT_INDEPENDENT = new Set(["common", "organizations", "consumers"]);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FORM_BODY_LIMIT = 64 * 1024;

type TenantParams = { Params: { tenant: string } };

export interface IdentityRoutesOptions {
  runtime: IdentityRuntime;
  tokens: TokenService;
  issuers: Issuers;
  /** For the managed-identity endpoints: header values are hashed with the pepper, wrong ones throttled. */
  pepper: Buffer;
  throttle: CredentialThrottle;
}

/** The Entra-compatible endpoints of the identity listener (shared/reference/entra.md §0). */
export async function identityRoutes(app: FastifyInstance, options: IdentityRoutesOptions) {
  const { runtime, tokens, issuers } = options;
  // Token requests are forms; anything else parses as an empty form so the client gets Entra's "missing
  // grant_type" instead of a framework error.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: FORM_BODY_LIMIT },
    (_req, body, done) => done(null, new URLSearchParams(body as string)),
  );
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: FORM_BODY_LIMIT }, (_req, _body, done) =>
    done(null, new URLSearchParams()),
  );

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AadstsError) return sendError(request, reply, error);
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) return sendError(request, reply, aadsts.bodyTooLarge());
    if (status !== undefined && status >= 400 && status < 500)
      return sendError(request, reply, aadsts.badRequest((error as Error).message));
    request.log.error({ err: error }, "token service failure");
    return sendError(request, reply, aadsts.unavailable());
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, aadsts.notFound(request.url.split("?")[0] ?? "/")),
  );

  const token = (endpoint: Endpoint) => async (request: FastifyRequest<TenantParams>, reply: FastifyReply) => {
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const response = await tokens.issue(
      request.params.tenant,
      endpoint,
      form,
      request.ip,
      request.headers.authorization,
    );
    return reply
      .header("cache-control", "no-store, no-cache")
      .header("pragma", "no-cache")
      .header("x-ms-request-id", request.id)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(response));
  };
  const wrongMethod = async (request: FastifyRequest) => {
    throw aadsts.methodNotAllowed(request.method);
  };
  for (const [path, endpoint] of [
    ["/:tenant/oauth2/v2.0/token", "v2"],
    ["/:tenant/oauth2/token", "v1"],
  ] as const) {
    app.post<TenantParams>(path, token(endpoint));
    app.route({ method: ["GET", "PUT", "DELETE", "PATCH"], url: path, handler: wrongMethod });
  }

  managedIdentityRoutes(app, options);

  /** Resolves `{tenant}` for discovery: a tenant's GUID, or the template for tenant-independent documents. */
  const tenantIdFor = (segment: string): string => {
    if (TENANT_INDEPENDENT.has(segment.toLowerCase())) return TENANT_TEMPLATE;
    const tenant = runtime.snapshot().directory.tenant(segment);
    if (!tenant) throw aadsts.tenantNotFound(segment, "invalid_tenant");
    return tenant.id;
  };
  const segmentFor = (segment: string, tenantId: string) =>
    tenantId === TENANT_TEMPLATE ? segment.toLowerCase() : tenantId;
  const publicJson = (reply: FastifyReply, body: unknown) =>
    reply
      .header("cache-control", "max-age=86400, private")
      .header("access-control-allow-origin", "*")
      .header("access-control-allow-methods", "GET, OPTIONS")
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(body));

  app.get<TenantParams>("/:tenant/v2.0/.well-known/openid-configuration", async (request, reply) => {
    const tid = tenantIdFor(request.params.tenant);
    return publicJson(reply, v2Configuration(issuers, segmentFor(request.params.tenant, tid), tid));
  });
  app.get<TenantParams>("/:tenant/.well-known/openid-configuration", async (request, reply) => {
    const tid = tenantIdFor(request.params.tenant);
    return publicJson(reply, v1Configuration(issuers, segmentFor(request.params.tenant, tid), tid));
  });
  app.get<TenantParams>("/:tenant/discovery/v2.0/keys", async (request, reply) => {
    const tid = tenantIdFor(request.params.tenant);
    return publicJson(reply, runtime.snapshot().keyRing.jwks(issuers.v2(tid)));
  });
  app.get<TenantParams>("/:tenant/discovery/keys", async (request, reply) => {
    tenantIdFor(request.params.tenant);
    return publicJson(reply, runtime.snapshot().keyRing.jwks());
  });
  app.get<{ Querystring: { authorization_endpoint?: string } }>(
    "/common/discovery/instance",
    async (request, reply) => {
      const endpoint = request.query.authorization_endpoint;
      let segment = "common";
      if (endpoint) {
        let url: URL;
        try {
          url = new URL(endpoint);
        } catch {
          throw aadsts.badRequest("The authorization_endpoint parameter is not a URL.");
        }
        if (url.host.toLowerCase() !== new URL(issuers.publicUrl).host.toLowerCase()) {
          throw new AadstsError(400, "invalid_request", 50049, "Unknown or invalid instance.");
        }
        segment = url.pathname.split("/")[1] || "common";
      }
      return publicJson(reply, instanceDiscovery(issuers, segment));
    },
  );
  app.options("/*", async (_request, reply) =>
    reply
      .header("access-control-allow-origin", "*")
      .header("access-control-allow-methods", "GET, POST, OPTIONS")
      .header("access-control-allow-headers", "content-type, authorization, client-request-id")
      .code(204)
      .send(),
  );
}

/** `correlation_id` echoes the caller's `client-request-id` (query, header or body) when it is a GUID. */
function correlationId(request: FastifyRequest): string {
  const query = request.query as Record<string, unknown> | undefined;
  const candidates = [
    query?.["client-request-id"],
    request.headers["client-request-id"],
    request.body instanceof URLSearchParams ? request.body.get("client-request-id") : undefined,
  ];
  const given = candidates.find((c): c is string => typeof c === "string" && GUID.test(c));
  return given ?? randomUUID();
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: AadstsError) {
  const correlation = correlationId(request);
  request.log.info({ code: error.code, error: error.error, correlationId: correlation }, "token request rejected");
  const { headers, body } = entraErrorResponse(error, request.id, correlation);
  return reply.code(error.status).headers(headers).send(body);
}

/** fastify's routing refusals (a malformed percent-encoding, an overlong tenant) as Entra's errors. */
export const identityFrameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
  sendError(request, reply, aadsts.badRequest(routingRefusal(error)));
