import {
  noContent,
  ok,
  operation,
  type Operation,
  type ParameterSpec,
  type RequestContext,
} from "../../../admin/operations.js";
import { API_VERSION, armPage, armResource, checkIfMatch, etagOf, IF_MATCH } from "../../../admin/apim/arm.js";
import { fill } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { PolicyScope } from "../configuration.js";
import type { GatewayRegistry } from "../registry.js";
import { policyCollection, policyContract, policyPut, type PolicyBody } from "./arm-schemas.js";
import { DEFAULT_GLOBAL_POLICY } from "./types.js";

type Format = "xml" | "rawxml";

/** Policy XML may also be sent as the body itself, with one of these content types. */
const RAW_POLICY_TYPES: Record<string, Format> = {
  "application/vnd.ms-azure-apim.policy.raw+xml": "rawxml",
  "application/vnd.ms-azure-apim.policy+xml": "xml",
  "application/xml": "xml",
  "text/xml": "xml",
};

interface PolicyLevel {
  /** The owner's path below the service, e.g. `/apis/{apiId}`; the policy is `{base}/policies/policy`. */
  base: string;
  /** Below `Microsoft.ApiManagement/service/`. */
  type: string;
  noun: string;
  scope(context: RequestContext): PolicyScope;
}

const LEVELS: readonly PolicyLevel[] = [
  { base: "", type: "policies", noun: "the global policy", scope: () => ({ kind: "global" }) },
  {
    base: "/products/{productId}",
    type: "products/policies",
    noun: "a product's policy",
    scope: (c) => ({ kind: "product", product: c.param("productId") }),
  },
  {
    base: "/apis/{apiId}",
    type: "apis/policies",
    noun: "an API's policy",
    scope: (c) => ({ kind: "api", api: c.param("apiId") }),
  },
  {
    base: "/apis/{apiId}/operations/{operationId}",
    type: "apis/operations/policies",
    noun: "an operation's policy",
    scope: (c) => ({ kind: "operation", api: c.param("apiId"), operation: c.param("operationId") }),
  },
];

const FORMAT_PARAMETER: ParameterSpec = {
  name: "format",
  in: "query",
  description: "`xml` (default) or `rawxml`: the XML is returned as it was stored either way",
  schema: { type: "string", enum: ["xml", "rawxml"] },
};

/** `?format=` of a GET: the format the client asks the value in. */
function askedFormat(context: RequestContext): Format {
  const format = context.query.format;
  if (format === undefined || format === "xml" || format === "rawxml") return format ?? "xml";
  throw armErrors.validation("Query option 'format' must be 'xml' or 'rawxml'.", "format");
}

/** The XML and its format from either body: the JSON contract, or the XML itself with an XML content type. */
function policyOf(context: RequestContext, body: PolicyBody): { xml: string; format: Format } {
  if (typeof body !== "string") {
    const { value, format = "xml" } = body.properties;
    if (format !== "xml" && format !== "rawxml") {
      throw armErrors.validation(`Policy format '${format}' is not supported: give the XML itself in value.`, "format");
    }
    return { xml: value, format };
  }
  const type = context.request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase() ?? "";
  const format = RAW_POLICY_TYPES[type];
  if (!format) throw armErrors.validation("The request body must be a policy contract.", "properties");
  return { xml: body, format };
}

/** Policies at the four scopes: raw XML in and out, the global one always present (APIM's default until set). */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return LEVELS.flatMap((level) => {
    const path = `${level.base}/policies/policy`;
    const resource = (context: RequestContext, xml: string, format: Format) =>
      armResource(context, level.type, fill(context, path), { value: xml, format });
    /** The stored XML; the global scope has APIM's default when none was set. */
    const stored = async (context: RequestContext) => {
      const xml = await gateway.policies.get(level.scope(context));
      return xml ?? (level.base === "" ? DEFAULT_GLOBAL_POLICY : undefined);
    };
    const etag = (xml: string | undefined) => (xml === undefined ? undefined : etagOf(xml));
    const tag = "apim: policies";
    return [
      operation({
        method: "GET",
        path: `${level.base}/policies`,
        summary: `List ${level.noun} (none or one)`,
        tag,
        parameters: [API_VERSION],
        response: { status: 200, description: "The policy, if set", schema: policyCollection },
        handle: async (context) => {
          const xml = await stored(context);
          return ok(armPage(context, xml === undefined ? [] : [resource(context, xml, "xml")], []));
        },
      }),
      operation({
        method: "GET",
        path,
        summary: `Read ${level.noun} (raw XML in properties.value)`,
        tag,
        parameters: [API_VERSION, FORMAT_PARAMETER],
        response: { status: 200, description: "The policy", schema: policyContract },
        handle: async (context) => {
          const format = askedFormat(context);
          const xml = await stored(context);
          if (xml === undefined) throw armErrors.notFound("Policy");
          return ok(resource(context, xml, format), { etag: etagOf(xml) });
        },
      }),
      operation({
        method: "PUT",
        path,
        summary: `Set ${level.noun}; the document is compiled now and refused with its line and column`,
        tag,
        parameters: [API_VERSION, IF_MATCH],
        body: policyPut,
        textBodyTypes: Object.keys(RAW_POLICY_TYPES),
        response: { status: 200, description: "Replaced (201 when created)", schema: policyContract },
        handle: async (context) => {
          const { xml, format } = policyOf(context, context.body);
          const scope = level.scope(context);
          const before = await stored(context);
          checkIfMatch(context, etag(before));
          await gateway.policies.put(scope, xml);
          return {
            status: before === undefined ? 201 : 200,
            body: resource(context, xml, format),
            headers: { etag: etagOf(xml) },
          };
        },
      }),
      operation({
        method: "DELETE",
        path,
        summary: `Delete ${level.noun}${level.base === "" ? " (back to APIM's default)" : ""}`,
        tag,
        parameters: [API_VERSION, IF_MATCH],
        response: { status: 200, description: "Deleted (204 when there was none)" },
        handle: async (context) => {
          const before = await stored(context);
          if (before === undefined) return noContent();
          checkIfMatch(context, etag(before));
          return (await gateway.policies.delete(level.scope(context))) ? { status: 200 } : noContent();
        },
      }),
    ];
  });
}
