import type { z } from "zod";
import type { Operation } from "../../../admin/operations.js";
import type { ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import { exportDownload, exportRead } from "./arm-export.js";
import { apiCollection, apiContract, apiPatch, apiPut, type ApiBody, type ApiResource } from "./arm-schemas.js";
import { importApiDocument, MAX_DOCUMENT_BYTES } from "./import/index.js";
import type { Api, ApiInput } from "./types.js";
import { importedApiInput } from "./validation.js";
import { refuseNotModelled } from "./not-modelled.js";

/** The API's ARM `properties`, property by property (never spread), so nothing the model gains later leaks out. */
export function apiProperties(api: Api): ArmProperties<ApiResource> {
  return {
    displayName: api.displayName,
    apiRevision: "1",
    description: api.description,
    subscriptionRequired: api.subscriptionRequired,
    serviceUrl: api.serviceUrl,
    path: api.path,
    protocols: [...api.protocols],
    subscriptionKeyParameterNames: {
      header: api.subscriptionKeyParameterNames.header,
      query: api.subscriptionKeyParameterNames.query,
    },
    isCurrent: true,
    type: api.apiType,
  };
}

/** `type` is the resource's name for what import calls `apiType`; either may be given, not two different ones. */
function apiChanges({ type, apiType, ...rest }: Partial<ApiBody>): Partial<ApiInput> {
  if (type !== undefined && apiType !== undefined && type !== apiType) {
    throw armErrors.validation(`type '${type}' and apiType '${apiType}' disagree.`, "type");
  }
  const kind = type ?? apiType;
  return { ...rest, ...(kind !== undefined ? { apiType: kind } : {}) };
}

/** What `$filter` may name on APIs. */
export const API_FILTERABLE = ["name", "displayName", "description", "path", "serviceUrl"] as const;

type ApiPutBody = z.output<typeof apiPut>["properties"];

/**
 * PUT: the API's properties, or with `format` and `value` an import (reference apim.md §4.9) whose document's
 * operations replace the API's, and which gives what the body leaves out of displayName, description and serviceUrl.
 * A link is downloaded and the document read before the write transaction.
 */
async function putApi(gateway: GatewayRegistry, name: string, body: ApiPutBody) {
  const { format, value, wsdlSelector, translateRequiredQueryParameters, displayName, path, ...rest } = body;
  const changes = { ...apiChanges(rest), path };
  if (format === undefined && value === undefined) {
    if (wsdlSelector !== undefined || translateRequiredQueryParameters !== undefined) {
      const option = wsdlSelector !== undefined ? "wsdlSelector" : "translateRequiredQueryParameters";
      throw armErrors.validation(`Property '${option}' applies only to an import (format and value).`, option);
    }
    if (displayName === undefined) throw armErrors.validation("Property 'displayName' is required.", "displayName");
    return gateway.apis.put(name, { ...changes, displayName });
  }
  if (format === undefined) throw armErrors.validation("Property 'format' is required with 'value'.", "format");
  if (value === undefined) throw armErrors.validation("Property 'value' is required with 'format'.", "value");
  const { apiType, ...properties } = changes;
  const imported = await importApiDocument({ format, value, wsdlSelector, translateRequiredQueryParameters, apiType });
  return gateway.apis.import(name, importedApiInput({ ...properties, displayName }, imported), imported);
}

/** An inline document of up to MAX_DOCUMENT_BYTES, escaped in JSON (which may double it), with the API around it. */
const IMPORT_BODY_LIMIT = 2 * MAX_DOCUMENT_BYTES + 64 * 1024;

/** APIM's APIs (apis/{apiId}), with import on PUT and export on GET. */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return [
    ...crudOperations({
      tag: "apim: apis",
      noun: "API",
      collection: "/apis",
      param: "apiId",
      type: "apis",
      kind: "Api",
      schemas: { put: apiPut, patch: apiPatch, resource: apiContract, list: apiCollection },
      filterable: API_FILTERABLE,
      list: () => gateway.apis.list(),
      get: (_context, name) => gateway.apis.get(name),
      put: async (context, name, properties) => {
        refuseNotModelled(context);
        const { api, created } = await putApi(gateway, name, properties);
        return { item: api, created };
      },
      patch: (context, name, { format, value, ...properties }) => {
        refuseNotModelled(context);
        if (format !== undefined || value !== undefined) {
          const property = format !== undefined ? "format" : "value";
          throw armErrors.validation(`Property '${property}' is an import, which is a PUT of the API.`, property);
        }
        return gateway.apis.patch(name, apiChanges(properties));
      },
      remove: (_context, name) => gateway.apis.delete(name),
      nameOf: (api) => api.name,
      view: apiProperties,
      putBodyLimit: IMPORT_BODY_LIMIT,
      alternateRead: exportRead(gateway),
    }),
    exportDownload(gateway),
  ];
}
