/**
 * Request traces (reference apim.md §4.15): a trace is read at the `Ocp-Apim-Trace-Location` the gateway answered
 * with, which carries its own signature (no token needed until it expires), or with an admin token, also through
 * APIM's `gateways/{gatewayId}/listTrace`. Tracing every request of an API is turned on for at most an hour.
 */
import { z } from "zod";
import type { MasterKey } from "../../../crypto/master-key.js";
import type { GatewayRegistry } from "../../../gateway/model/registry.js";
import { ApiTracingSettings, MAX_API_TRACING_MS } from "../../../gateway/tracing/api-tracing.js";
import { TraceSignatures } from "../../../gateway/tracing/location.js";
import { TraceStore } from "../../../gateway/tracing/trace-store.js";
import type { Store } from "../../../store/store.js";
import { ok, operation, type Operation, type RequestContext } from "../../operations.js";
import { namedSchemas } from "../../schemas.js";
import { API_VERSION } from "../arm.js";
import { ArmError, armErrors } from "../errors.js";

const TAG = "apim: tracing";

export interface TraceAdmin {
  traces: TraceStore;
  settings: ApiTracingSettings;
  signatures: TraceSignatures;
}

export function traceAdmin(store: Store, masterKey: MasterKey): TraceAdmin {
  return {
    traces: new TraceStore(store.db),
    settings: new ApiTracingSettings(store.db),
    signatures: new TraceSignatures(masterKey),
  };
}

const named = <S extends z.ZodType>(name: string, schema: S): S => {
  namedSchemas.add(schema as z.ZodType, { name });
  return schema;
};

const traceDocument = named(
  "GatewayTrace",
  z.looseObject({
    id: z.string(),
    api: z.string(),
    operation: z.string(),
    trigger: z.enum(["header", "api"]),
    startedAt: z.string(),
    request: z.looseObject({}),
    steps: z.array(z.looseObject({})),
    messages: z.array(z.looseObject({})),
    response: z.looseObject({}),
    elapsedMs: z.number(),
  }),
);
const listTraceBody = named("GatewayListTraceContract", z.object({ traceId: z.string().min(1) }));
const tracingBody = named(
  "ApiTracingContract",
  z.object({
    enabled: z.boolean(),
    /** ISO 8601 duration, at most PT1H (the default). */
    expiresAfter: z.string().optional(),
  }),
);
const tracingState = named("ApiTracingState", z.object({ enabled: z.boolean(), expiresAt: z.string().nullable() }));

const notFound = () => armErrors.notFound("Trace");

/** The route a trace link names (crud's `{traceId}` as fastify writes it): signed-links.ts lets its GET through. */
export const TRACE_ROUTE = "/traces/:traceId";

/** Refuses a trace link whose signature is wrong or expired (one without any was authenticated by the token). */
function checkLink(context: RequestContext, signatures: TraceSignatures, id: string): void {
  const { expires, sig } = context.query;
  if (sig === undefined) return;
  if (typeof expires !== "string" || typeof sig !== "string" || !signatures.verify(id, expires, sig, Date.now())) {
    throw new ArmError(403, "AuthorizationFailed", "The trace link is not valid or has expired.");
  }
}

/** With the other gateway resources, behind the admin token (a trace also behind its link's signature). */
export function tracingOperations(admin: TraceAdmin, gateway: GatewayRegistry): Operation[] {
  const traceResponse = async (id: string) => {
    const trace = await admin.traces.get(id);
    if (!trace) throw notFound();
    return ok(trace, { "cache-control": "no-store" });
  };
  const state = async (api: string) => {
    const expiresAt = await admin.settings.expiresAt(api);
    return {
      enabled: expiresAt !== undefined,
      expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
    };
  };
  const existing = async (context: RequestContext) => {
    const api = context.param("apiId");
    if (!(await gateway.apis.get(api))) throw armErrors.notFound("Api");
    return api;
  };
  return [
    operation({
      method: "GET",
      path: "/traces/{traceId}",
      summary: "A request trace, with the signed link from Ocp-Apim-Trace-Location or an admin token",
      tag: TAG,
      parameters: [
        API_VERSION,
        { name: "expires", in: "query", description: "The link's expiry (from the link)", schema: { type: "string" } },
        { name: "sig", in: "query", description: "The link's signature (from the link)", schema: { type: "string" } },
      ],
      response: { status: 200, description: "The trace", schema: traceDocument, shape: "plain" },
      handle: async (context) => {
        const id = context.param("traceId");
        checkLink(context, admin.signatures, id);
        return traceResponse(id);
      },
    }),
    operation({
      method: "POST",
      path: "/gateways/{gatewayId}/listTrace",
      summary: "A request trace by id (API Management's listTrace)",
      tag: TAG,
      parameters: [API_VERSION],
      body: listTraceBody,
      response: { status: 200, description: "The trace", schema: traceDocument, shape: "plain" },
      handle: async (context) => {
        return traceResponse(context.body.traceId);
      },
    }),
    operation({
      method: "GET",
      path: "/apis/{apiId}/tracing",
      summary: "Whether every request of the API is traced, and until when",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Tracing state", schema: tracingState, shape: "plain" },
      handle: async (context) => ok(await state(await existing(context))),
    }),
    operation({
      method: "POST",
      path: "/apis/{apiId}/tracing",
      summary: "Traces every request of the API for a while (at most an hour), or stops",
      tag: TAG,
      parameters: [API_VERSION],
      body: tracingBody,
      response: { status: 200, description: "Tracing state", schema: tracingState, shape: "plain" },
      handle: async (context) => {
        const api = await existing(context);
        if (context.body.enabled) {
          const duration = durationMs(context.body.expiresAfter ?? "PT1H");
          await admin.settings.enable(api, Date.now() + duration);
        } else {
          await admin.settings.disable(api);
        }
        return ok(await state(api));
      },
    }),
  ];
}

const DURATION = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i;

/** An ISO 8601 duration of hours, minutes and seconds, more than zero and at most an hour. */
function durationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  const [, hours, minutes, seconds] = match ?? [];
  const ms = ((Number(hours ?? 0) * 60 + Number(minutes ?? 0)) * 60 + Number(seconds ?? 0)) * 1000;
  if (!match || text.trim().toUpperCase() === "PT" || !(ms > 0) || ms > MAX_API_TRACING_MS) {
    throw armErrors.validation(
      `Invalid value for property 'expiresAfter': '${text}' must be an ISO 8601 duration from PT1S to PT1H.`,
      "expiresAfter",
    );
  }
  return ms;
}
