import type { FastifyInstance, FastifyRequest } from "fastify";
import { developerMount } from "../developer/api/routes.js";
import { apiExportAnswer } from "../gateway/model/apis/arm-export.js";
import type { DeveloperServices } from "../developer/services.js";
import {
  clientApplicationDeveloperOperations,
  type DeveloperEndpoints,
} from "../gateway/model/client-applications/developer-api.js";
import type { GatewayRegistry } from "../gateway/model/registry.js";
import type { Issuers } from "../identity/issuers.js";
import type { IdentityRuntime } from "../identity/runtime.js";
import type { TokenService } from "../identity/token/token-service.js";
import type { Core } from "../server.js";
import { apimMount } from "./apim/routes.js";
import { isArmPath } from "./apim/arm.js";
import { armErrors, sendArmError } from "./apim/errors.js";
import { managedIdentityMounts } from "../identity/managed-identities/arm.js";
import { identityFederatedCredentialOperations } from "../identity/federation/arm.js";
import { traceAdmin } from "./apim/resources/traces.js";
import { isSignedLink } from "./apim/signed-links.js";
import { adminAuthenticator } from "./auth.js";
import { BuiltInObjects } from "./built-in.js";
import { graphDialect } from "./graph-dialect.js";
import { clientRequestId, graphErrors, sendGraphError, toGraphError } from "./graph-errors.js";
import { openApiDocument, type Mount } from "./openapi.js";
import { fastifyPath, mountOperations, ok, operation } from "./operations.js";
import { appRoleAssignmentOperations } from "./resources/app-role-assignments.js";
import { applicationOperations } from "./resources/applications.js";
import { federatedCredentialOperations } from "./resources/federated-identity-credentials.js";
import { servicePrincipalOperations } from "./resources/service-principals.js";
import { signingKeyOperations } from "./resources/signing-keys.js";
import { organizationOperations, tenantOperations } from "./resources/tenants.js";
import { health } from "./schemas.js";
import { resolveTenant } from "./tenant-scope.js";

export interface AdminRoutesOptions {
  core: Core;
  runtime: IdentityRuntime;
  issuers: Issuers;
  tokens: TokenService;
  /** The gateway's configuration, managed under the ARM prefixes (apim/). */
  gateway: GatewayRegistry;
  /** Developer sign-in, sessions and links: the users' invitations, and the developer API. */
  developer: DeveloperServices;
  /** Where developers' code gets tokens and calls APIs (client applications' details and snippets). */
  developerEndpoints: DeveloperEndpoints;
}

/**
 * The admin API: Microsoft Graph v1.0-shaped management of tenants, applications, service principals and consent,
 * plus key rotation, and the gateway's configuration in API Management's ARM shapes (apim/), protected by
 * Gatehouse's own tokens (auth.ts). Graph routes answer with Graph error bodies, ARM routes with ARM ones.
 */
export async function adminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): Promise<void> {
  const { core, runtime, issuers } = opts;
  const { registry, management } = core;
  const builtIn = new BuiltInObjects(management);
  const tracing = traceAdmin(core.store, core.masterKey);
  const tenantOf = (request: FastifyRequest) =>
    resolveTenant(registry, management, (request.params as { tenantId?: string } | undefined)?.tenantId);
  const authenticate = adminAuthenticator({ runtime, issuers, management, tenantOf });

  let document: ReturnType<typeof openApiDocument> | undefined;
  const mounts: Mount[] = [
    {
      prefixes: [""],
      scoped: false,
      public: true,
      dialect: graphDialect,
      operations: [
        operation({
          method: "GET",
          path: "/healthz",
          summary: "Liveness",
          tag: "service",
          response: { status: 200, description: "The admin API is up", schema: health, shape: "plain" },
          handle: async () => ok({ status: "ok" }),
        }),
        operation({
          method: "GET",
          path: "/openapi.json",
          summary: "This OpenAPI document",
          tag: "service",
          response: { status: 200, description: "OpenAPI 3.1" },
          handle: async () => ok((document ??= openApiDocument(mounts))),
        }),
      ],
    },
    {
      prefixes: ["/v1.0", "/{tenantId}/v1.0"],
      scoped: true,
      dialect: graphDialect,
      access: "applications",
      operations: [
        ...applicationOperations(registry, builtIn),
        ...federatedCredentialOperations(registry, builtIn),
        ...servicePrincipalOperations(registry, builtIn),
        ...appRoleAssignmentOperations(registry, builtIn),
        ...organizationOperations(),
      ],
    },
    {
      prefixes: [""],
      scoped: false,
      dialect: graphDialect,
      operations: [...tenantOperations(registry, builtIn), ...signingKeyOperations(core, runtime)],
    },
    apimMount(opts.gateway, tracing, opts.developer, registry),
    ...managedIdentityMounts(registry, management, identityFederatedCredentialOperations(registry)),
    developerMount({
      services: opts.developer,
      gateway: opts.gateway,
      extensions: [clientApplicationDeveloperOperations(opts.gateway, opts.developerEndpoints)],
      exportApi: (context, api) => apiExportAnswer(opts.gateway, context, api),
    }),
  ];

  // An empty body is no body (clients send Content-Type on DELETE too); anything else must be strict JSON.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (typeof body !== "string" || body.trim() === "") return done(null, undefined);
    parseJson(request, body, done);
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("request-id", request.id).header("client-request-id", clientRequestId(request));
  });
  app.setErrorHandler((error, request, reply) => {
    const graph = toGraphError(error);
    if (graph && graph.status < 500) return sendGraphError(request, reply, graph);
    request.log.error({ err: error }, "admin request failed");
    return sendGraphError(request, reply, graphErrors.unexpected());
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    // ARM's prefixes have their own not-found handlers, but fastify routes not-found requests case-sensitively:
    // an ARM path in other casing arrives here.
    if (isArmPath(path)) return sendArmError(reply, armErrors.noRoute());
    const segment = path.split("/").filter(Boolean).at(-1) ?? "";
    return sendGraphError(request, reply, graphErrors.noRoute(decodeSegment(segment)));
  });

  for (const mount of mounts) {
    for (const prefix of mount.prefixes) {
      await app.register(
        async (scope) => {
          // Hooks are encapsulated: each mount's routes require a token with the roles of its access level.
          if (!mount.public) {
            const access = mount.access ?? "admin";
            scope.addHook("onRequest", async (request) => {
              // A trace link (Ocp-Apim-Trace-Location) or an export's download link carries a signature instead,
              // which its route checks.
              if (isSignedLink(request)) return;
              await authenticate(request, access);
            });
          }
          mountOperations(scope, mount.operations, { scoped: mount.scoped, tenant: tenantOf, dialect: mount.dialect });
        },
        { prefix: fastifyPath(prefix) },
      );
    }
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
