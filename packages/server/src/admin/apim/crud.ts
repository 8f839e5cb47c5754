/**
 * The five ARM operations every API Management entity has, described once: list, read, create-or-replace (201
 * created, 200 replaced), update and delete (200, 204 when there was nothing to delete), with ETags and If-Match.
 */
import { z } from "zod";
import type { GatewayEntityKind } from "../../gateway/model/errors.js";
import {
  noContent,
  ok,
  operation,
  type Operation,
  type OperationResult,
  type ParameterSpec,
  type RequestContext,
} from "../operations.js";
import {
  API_VERSION,
  armPage,
  armResource,
  checkIfMatch,
  etagOf,
  IF_MATCH,
  LIST_PARAMETERS,
  type ArmResource,
} from "./arm.js";
import { armErrors } from "./errors.js";

type Envelope<P> = z.ZodType<{ properties: P }>;
type PatchEnvelope<P> = z.ZodType<{ properties?: P | undefined }>;

export interface CrudSpec<T, Put, Patch, P extends object> {
  tag: string;
  /** For summaries, e.g. `API`. */
  noun: string;
  /** The collection below the service, e.g. `/apis/{apiId}/operations`; its parameters are filled from the URL. */
  collection: string;
  /** The item's path parameter, e.g. `operationId`. */
  param: string;
  /** Below `Microsoft.ApiManagement/service/`, e.g. `apis/operations`. */
  type: string;
  /** API Management's name of the entity in "… not found." */
  kind: GatewayEntityKind;
  /** Without `patch` (and its schema) the entity has no PATCH, which then answers 405 as API Management does. */
  schemas: { put: Envelope<Put>; patch?: PatchEnvelope<Patch>; resource: z.ZodType; list: z.ZodType };
  /** What `$filter` may name: `name` or string properties. */
  filterable: readonly string[];
  list(context: RequestContext): Promise<readonly T[]>;
  get(context: RequestContext, name: string): Promise<T | undefined>;
  /** `headers` are added to the response (a link the request made, shown once). */
  put(
    context: RequestContext,
    name: string,
    properties: Put,
  ): Promise<{ item: T; created: boolean; headers?: Readonly<Record<string, string>> }>;
  patch?(context: RequestContext, name: string, properties: Patch): Promise<T>;
  remove(context: RequestContext, name: string): Promise<boolean>;
  nameOf(item: T): string;
  /** The entity's `properties`, never a secret; the request gives resource ids their service. */
  view(item: T, context: RequestContext): P;
  /** The largest PUT body in bytes, when it may be larger than the listener's default (an imported document). */
  putBodyLimit?: number;
  alternateRead?: AlternateRead<T>;
}

/** Another answer of GET for some query options (`?export=true` on an API). */
export interface AlternateRead<T> {
  parameters: readonly ParameterSpec[];
  /** Of the other answer's body. */
  schema: z.ZodType;
  /** The other answer, or undefined when the query does not ask for it. */
  read(context: RequestContext, item: T): Promise<OperationResult | undefined>;
}

/** `/apis/{apiId}/operations` with the URL's `apiId`. */
export const fill = (context: RequestContext, template: string) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => context.param(name));

export function crudOperations<T, Put, Patch, P extends object>(spec: CrudSpec<T, Put, Patch, P>): Operation[] {
  const item = `${spec.collection}/{${spec.param}}`;
  const resource = (context: RequestContext, entity: T): ArmResource<P> =>
    armResource(
      context,
      spec.type,
      `${fill(context, spec.collection)}/${spec.nameOf(entity)}`,
      spec.view(entity, context),
    );
  const tagged = (context: RequestContext, entity: T) => {
    const body = resource(context, entity);
    return { body, headers: { etag: etagOf(body.properties) } };
  };
  const current = async (context: RequestContext) => {
    const found = await spec.get(context, context.param(spec.param));
    return { found, etag: found === undefined ? undefined : etagOf(spec.view(found, context)) };
  };

  return [
    operation({
      method: "GET",
      path: spec.collection,
      summary: `List the ${spec.noun}s`,
      tag: spec.tag,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: `The ${spec.noun}s`, schema: spec.schemas.list },
      handle: async (context) => {
        const items = await spec.list(context);
        return ok(
          armPage(
            context,
            items.map((entity) => resource(context, entity)),
            spec.filterable,
          ),
        );
      },
    }),
    operation({
      method: "GET",
      path: item,
      summary: `Read a ${spec.noun} (HEAD for its ETag)`,
      tag: spec.tag,
      parameters: [API_VERSION, ...(spec.alternateRead?.parameters ?? [])],
      response: {
        status: 200,
        description: `The ${spec.noun}`,
        schema: spec.alternateRead
          ? z.union([spec.schemas.resource, spec.alternateRead.schema])
          : spec.schemas.resource,
      },
      handle: async (context) => {
        const { found } = await current(context);
        if (found === undefined) throw armErrors.notFound(spec.kind);
        const alternate = await spec.alternateRead?.read(context, found);
        if (alternate !== undefined) return alternate;
        const { body, headers } = tagged(context, found);
        return ok(body, headers);
      },
    }),
    operation({
      method: "PUT",
      path: item,
      summary: `Create or replace a ${spec.noun}`,
      tag: spec.tag,
      parameters: [API_VERSION, IF_MATCH],
      body: spec.schemas.put,
      ...(spec.putBodyLimit !== undefined ? { bodyLimit: spec.putBodyLimit } : {}),
      response: { status: 200, description: `Replaced (201 when created)`, schema: spec.schemas.resource },
      handle: async (context) => {
        checkIfMatch(context, (await current(context)).etag);
        const put = await spec.put(context, context.param(spec.param), context.body.properties);
        const { body, headers } = tagged(context, put.item);
        return { status: put.created ? 201 : 200, body, headers: { ...put.headers, ...headers } };
      },
    }),
    ...patchOperation(spec, item, current, tagged),
    operation({
      method: "DELETE",
      path: item,
      summary: `Delete a ${spec.noun}`,
      tag: spec.tag,
      parameters: [API_VERSION, IF_MATCH],
      response: { status: 200, description: "Deleted (204 when it did not exist)" },
      handle: async (context) => {
        const { found, etag } = await current(context);
        if (found === undefined) return noContent();
        checkIfMatch(context, etag);
        return (await spec.remove(context, spec.nameOf(found))) ? { status: 200 } : noContent();
      },
    }),
  ];
}

function patchOperation<T, Put, Patch, P extends object>(
  spec: CrudSpec<T, Put, Patch, P>,
  item: string,
  current: (context: RequestContext) => Promise<{ found: T | undefined; etag: string | undefined }>,
  tagged: (context: RequestContext, entity: T) => { body: ArmResource<P>; headers: Record<string, string> },
): Operation[] {
  const { patch } = spec;
  const schema = spec.schemas.patch;
  if (!patch || !schema) return [];
  return [
    operation({
      method: "PATCH",
      path: item,
      summary: `Update some properties of a ${spec.noun}`,
      tag: spec.tag,
      parameters: [API_VERSION, IF_MATCH],
      body: schema,
      response: { status: 200, description: "Updated", schema: spec.schemas.resource },
      handle: async (context) => {
        const { found, etag } = await current(context);
        if (found === undefined) throw armErrors.notFound(spec.kind);
        checkIfMatch(context, etag);
        const properties = context.body.properties;
        const entity = properties === undefined ? found : await patch(context, spec.nameOf(found), properties);
        const { body, headers } = tagged(context, entity);
        return ok(body, headers);
      },
    }),
  ];
}
