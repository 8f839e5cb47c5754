/**
 * The endpoints Azure SDKs call for managed-identity tokens, on the identity listener:
 * - App Service / Functions (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`): `GET /msi/token?api-version=2019-08-01&resource=…`
 *   with `X-IDENTITY-HEADER`, optional `client_id` / `principal_id` (`object_id`) / `mi_res_id`;
 * - IMDS (`AZURE_POD_IDENTITY_AUTHORITY_HOST`): `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
 *   with `Metadata: true`, optional `client_id` / `object_id` / `msi_res_id`; loopback callers only, for the host
 *   marked as this machine.
 * Errors use each service's body, which MSAL reads (`message`, or `error` + `error_description`), so the SDKs show it.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hashSecret } from "../../crypto/secrets.js";
import type { CredentialThrottle } from "../../security/credential-throttle.js";
import { AadstsError } from "../errors.js";
import type { IdentityRuntime } from "../runtime.js";
import type { TokenService } from "../token/token-service.js";
import { selectIdentity, type HostEntry, type IdentitySelector } from "./host-directory.js";

export const APP_SERVICE_PATH = "/msi/token";
export const IMDS_PATH = "/metadata/identity/oauth2/token";
const APP_SERVICE_API_VERSION = "2019-08-01";
/** IMDS's identity API exists from this version on; later dated versions answer the same. */
const IMDS_FIRST_API_VERSION = "2018-02-01";
const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;

export interface ManagedIdentityRoutesOptions {
  runtime: IdentityRuntime;
  tokens: TokenService;
  pepper: Buffer;
  /** Wrong header values count as failed credentials of the caller's address, as wrong client secrets do. */
  throttle: CredentialThrottle;
}

/** A refusal in the shape of the endpoint that gives it. */
class EndpointError extends Error {
  override name = "ManagedIdentityEndpointError";
  constructor(
    readonly status: 400 | 401 | 403 | 405 | 429 | 500,
    /** IMDS's `error` (OAuth-style); App Service has only the message. */
    readonly error: "invalid_request" | "invalid_resource" | "unauthorized_client" | "server_error",
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Query = Record<string, unknown>;
type Flavour = "appService" | "imds";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function managedIdentityRoutes(app: FastifyInstance, options: ManagedIdentityRoutesOptions): void {
  const { runtime, tokens, pepper, throttle } = options;

  const answer = async (
    flavour: Flavour,
    request: FastifyRequest,
    reply: FastifyReply,
    findHost: () => Promise<HostEntry>,
  ) => {
    try {
      const query = (request.query ?? {}) as Query;
      const host = await findHost();
      checkApiVersion(flavour, query);
      const resource = single(query, "resource");
      if (resource === undefined || resource === "") throw missing(flavour, "resource");
      const identity = selectIdentity(host, selectorOf(flavour, query));
      if (!identity) throw new EndpointError(400, "invalid_request", unknownIdentityMessage(flavour, query));
      const token = await tokens.issueForManagedIdentity(identity, resource).catch((error: unknown) => {
        if (error instanceof AadstsError) {
          throw new EndpointError(error.status === 400 ? 400 : 500, resourceError(error), error.message);
        }
        throw error;
      });
      request.log.info({ host: host.host.name, clientId: identity.clientId }, "managed identity token issued");
      const body =
        flavour === "appService"
          ? {
              access_token: token.accessToken,
              expires_on: String(token.expiresOn),
              resource,
              token_type: "Bearer",
              client_id: identity.clientId,
            }
          : {
              access_token: token.accessToken,
              client_id: identity.clientId,
              expires_in: String(token.expiresOn - Math.floor(Date.now() / 1000)),
              expires_on: String(token.expiresOn),
              ext_expires_in: String(token.expiresOn - Math.floor(Date.now() / 1000)),
              not_before: String(token.notBefore),
              resource,
              token_type: "Bearer",
            };
      return json(reply.code(200).header("cache-control", "no-store, no-cache"), body);
    } catch (error) {
      const refusal =
        error instanceof EndpointError
          ? error
          : new EndpointError(500, "server_error", "The managed identity endpoint failed; see the server's log.");
      if (!(error instanceof EndpointError)) request.log.error({ err: error }, "managed identity endpoint failure");
      else request.log.info({ status: refusal.status, reason: refusal.message }, "managed identity request refused");
      return sendRefusal(flavour, reply, refusal);
    }
  };

  /** The header value is hashed with the pepper and looked up by its hash; it is never logged or echoed. */
  const appServiceHost = (request: FastifyRequest) => async (): Promise<HostEntry> => {
    const source = { address: request.ip };
    const retryAfter = throttle.retryAfter(source);
    if (retryAfter !== undefined) {
      throw new EndpointError(
        429,
        "unauthorized_client",
        `Too many requests with a wrong X-IDENTITY-HEADER from this address. Retry after ${retryAfter} seconds.`,
        { "retry-after": String(retryAfter) },
      );
    }
    const header = request.headers["x-identity-header"];
    if (typeof header !== "string" || header === "") {
      throw new EndpointError(401, "unauthorized_client", "The X-IDENTITY-HEADER header is missing.");
    }
    const hash = hashSecret(pepper, header).toString("base64url");
    const find = () => runtime.snapshot().directory.hosts.hostByHeaderHash(hash);
    // A value `gatehouse identity env` has just added in another process is newer than this snapshot: catch up once
    // rather than refuse it until the next poll. Misses are throttled, so this costs at most a few revision reads.
    const host = find() ?? ((await runtime.catchUp()) ? find() : undefined);
    if (!host) {
      await throttle.failed(source);
      throw new EndpointError(
        401,
        "unauthorized_client",
        "The X-IDENTITY-HEADER header is not valid: it names no host, or its value was rotated. Print the current " +
          "lines with `gatehouse identity env <host>`.",
      );
    }
    return host;
  };

  const imdsHost = (request: FastifyRequest) => async (): Promise<HostEntry> => {
    if (request.headers.metadata?.toString().toLowerCase() !== "true") {
      throw new EndpointError(400, "invalid_request", "Required metadata header not specified");
    }
    if (request.headers["x-forwarded-for"] !== undefined) {
      throw new EndpointError(400, "invalid_request", "Request contains X-Forwarded-For header");
    }
    if (!LOOPBACK.has(request.ip)) {
      throw new EndpointError(
        403,
        "invalid_request",
        "The IMDS endpoint answers only callers on this machine (loopback addresses).",
      );
    }
    const host = runtime.snapshot().directory.hosts.imdsHost();
    if (!host) throw new EndpointError(400, "invalid_request", "Identity not found");
    return host;
  };

  app.get(APP_SERVICE_PATH, (request, reply) => answer("appService", request, reply, appServiceHost(request)));
  app.get(IMDS_PATH, (request, reply) => answer("imds", request, reply, imdsHost(request)));
  for (const [path, flavour] of [
    [APP_SERVICE_PATH, "appService"],
    [IMDS_PATH, "imds"],
  ] as const) {
    app.route({
      method: ["POST", "PUT", "DELETE", "PATCH"],
      url: path,
      handler: async (request, reply) =>
        sendRefusal(
          flavour,
          reply,
          new EndpointError(405, "invalid_request", `The method ${request.method} is not allowed: use GET.`, {
            allow: "GET",
          }),
        ),
    });
  }
}

function sendRefusal(flavour: Flavour, reply: FastifyReply, refusal: EndpointError) {
  reply.code(refusal.status).headers(refusal.headers);
  return json(
    reply,
    flavour === "appService"
      ? { statusCode: refusal.status, message: refusal.message, correlationId: randomUUID() }
      : { error: refusal.error, error_description: refusal.message },
  );
}

const json = (reply: FastifyReply, body: unknown) =>
  reply.type("application/json; charset=utf-8").send(JSON.stringify(body));

/** A query parameter given once; a repeated one is refused rather than guessed at. */
function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new EndpointError(400, "invalid_request", `The query parameter '${name}' is given more than once.`);
  }
  return value;
}

const missing = (flavour: Flavour, name: string) =>
  new EndpointError(
    400,
    "invalid_request",
    flavour === "imds" ? `Required query variable '${name}' is missing` : `The query parameter '${name}' is required.`,
  );

function checkApiVersion(flavour: Flavour, query: Query): void {
  const version = single(query, "api-version");
  if (version === undefined || version === "") throw missing(flavour, "api-version");
  const supported =
    flavour === "appService"
      ? version === APP_SERVICE_API_VERSION
      : API_VERSION.test(version) && version >= IMDS_FIRST_API_VERSION;
  if (!supported) {
    throw new EndpointError(
      400,
      "invalid_request",
      flavour === "appService"
        ? `api-version '${version}' is not supported: use ${APP_SERVICE_API_VERSION}.`
        : `Invalid api-version '${version}': use ${IMDS_FIRST_API_VERSION} or later.`,
    );
  }
}

/** App Service names a user-assigned identity by `client_id`, `principal_id` (MSAL: `object_id`) or `mi_res_id`; IMDS by `client_id`, `object_id` or `msi_res_id`. */
function selectorOf(flavour: Flavour, query: Query): IdentitySelector {
  const names: [string, IdentitySelector["by"]][] =
    flavour === "appService"
      ? [
          ["client_id", "clientId"],
          ["principal_id", "principalId"],
          ["object_id", "principalId"],
          ["mi_res_id", "resourceId"],
        ]
      : [
          ["client_id", "clientId"],
          ["object_id", "principalId"],
          ["msi_res_id", "resourceId"],
        ];
  const given = names.flatMap(([name, by]) => {
    const value = single(query, name);
    return value === undefined ? [] : [{ name, by, value }];
  });
  if (given.length > 1) {
    throw new EndpointError(
      400,
      "invalid_request",
      `Give only one of ${names.map(([name]) => name).join(", ")}: the request names ${given.map((g) => g.name).join(" and ")}.`,
    );
  }
  const [one] = given;
  return one === undefined ? { by: "system" } : ({ by: one.by, value: one.value } as IdentitySelector);
}

function unknownIdentityMessage(flavour: Flavour, query: Query): string {
  const named = ["client_id", "principal_id", "object_id", "mi_res_id", "msi_res_id"].find(
    (name) => query[name] !== undefined,
  );
  if (flavour === "imds") {
    return named === undefined
      ? "Identity not found"
      : `Identity not found: no identity with ${named} '${String(query[named])}' is assigned to this machine.`;
  }
  return named === undefined
    ? "Unable to load the requested managed identity: the host has no system-assigned identity. Name a user-assigned one with client_id, principal_id or mi_res_id."
    : `Unable to load the requested managed identity: no identity with ${named} '${String(query[named])}' is assigned to this host.`;
}

/** Entra's refusals of the resource (unknown resource, role assignment required …) carry over with their AADSTS text. */
const resourceError = (error: AadstsError): EndpointError["error"] =>
  error.error === "invalid_resource" ? "invalid_resource" : error.status === 400 ? "invalid_request" : "server_error";
