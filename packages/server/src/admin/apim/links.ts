/**
 * The operations of a link between two API Management entities (a group's users, a product's groups or APIs),
 * described once: list the linked entities, PUT the link (201 new, 200 there already, answering the linked entity),
 * HEAD whether it is there (204, else 404) and DELETE it (200, 204 when there was nothing to delete).
 */
import type { z } from "zod";
import { noContent, ok, operation, type Operation, type RequestContext } from "../operations.js";
import { API_VERSION, armPage, etagOf, LIST_PARAMETERS, type ArmResource } from "./arm.js";
import { armErrors } from "./errors.js";

/** An operation's summary and the description of its success. */
export interface LinkDoc {
  summary: string;
  description: string;
}

export interface LinkSpec {
  tag: string;
  /** The links below their owner, e.g. `/groups/{groupId}/users`. */
  collection: string;
  /** The linked entity's path parameter, e.g. `userId`. */
  param: string;
  schemas: { resource: z.ZodType; list: z.ZodType };
  /** What `$filter` may name in the list. */
  filterable: readonly string[];
  docs: { list: LinkDoc; put: LinkDoc; delete: LinkDoc };
  list(context: RequestContext): Promise<readonly ArmResource<object>[]>;
  /** Makes the link; answers the linked entity and whether the link is new. */
  add(context: RequestContext, name: string): Promise<{ body: ArmResource<unknown>; created: boolean }>;
  /** Without `head` there is no HEAD, as for a product's APIs. */
  head?: {
    doc: LinkDoc;
    /** API Management's name of the linked entity in "… not found." when there is no link. */
    kind: string;
    has(context: RequestContext, name: string): Promise<boolean>;
  };
  /** Whether there was a link to remove. */
  remove(context: RequestContext, name: string): Promise<boolean>;
}

export function linkOperations(spec: LinkSpec): Operation[] {
  const item = `${spec.collection}/{${spec.param}}`;
  const { head, docs } = spec;
  return [
    operation({
      method: "GET",
      path: spec.collection,
      summary: docs.list.summary,
      tag: spec.tag,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: docs.list.description, schema: spec.schemas.list },
      handle: async (context) => ok(armPage(context, await spec.list(context), spec.filterable)),
    }),
    operation({
      method: "PUT",
      path: item,
      summary: docs.put.summary,
      tag: spec.tag,
      parameters: [API_VERSION],
      response: { status: 200, description: docs.put.description, schema: spec.schemas.resource },
      handle: async (context) => {
        const { body, created } = await spec.add(context, context.param(spec.param));
        return { status: created ? 201 : 200, body, headers: { etag: etagOf(body.properties) } };
      },
    }),
    ...(head
      ? [
          operation({
            method: "HEAD",
            path: item,
            summary: head.doc.summary,
            tag: spec.tag,
            parameters: [API_VERSION],
            response: { status: 204, description: head.doc.description },
            handle: async (context) => {
              if (!(await head.has(context, context.param(spec.param)))) throw armErrors.notFound(head.kind);
              return noContent();
            },
          }),
        ]
      : []),
    operation({
      method: "DELETE",
      path: item,
      summary: docs.delete.summary,
      tag: spec.tag,
      parameters: [API_VERSION],
      response: { status: 200, description: docs.delete.description },
      handle: async (context) =>
        (await spec.remove(context, context.param(spec.param))) ? { status: 200 } : noContent(),
    }),
  ];
}
