/**
 * What OpenAPI 3 and Swagger 2 share: the operations of `paths` and `x-ms-paths` with the parameters that apply to
 * each (the path item's, replaced by the operation's of the same name and location), and each operation's head — its
 * unique name, display name, URL template and template, query and header parameters.
 */
import type { DocumentRefs } from "./document-refs.js";
import { PATH_ITEM_METHODS } from "./http-methods.js";
import { cut } from "./import-errors.js";
import type { ImportedOperation, RequiredQueryTranslation } from "./imported-api.js";
import type { ParameterContract } from "../../operations/types.js";
import {
  asObject,
  optionalArray,
  optionalObject,
  optionalString,
  requiredString,
  type JsonObject,
} from "./json-value.js";
import { OperationNames, operationDisplayName } from "./operation-names.js";
import { OperationSignatures, operationShape, type LocatedParameter } from "./operation-shape.js";

export interface PathOperation {
  /** Where the operation is in the document, for messages: `paths./pets.get`. */
  where: string;
  pathKey: string;
  /** Upper case. */
  method: string;
  fields: JsonObject;
  /** Each with a string `name` and `in`, in the path item's order, then the operation's. */
  parameters: { fields: JsonObject; where: string }[];
}

export function pathOperations(root: JsonObject, refs: DocumentRefs): PathOperation[] {
  const operations: PathOperation[] = [];
  for (const section of ["paths", "x-ms-paths"]) {
    for (const [pathKey, value] of Object.entries(optionalObject(root, section, "") ?? {})) {
      const at = `${section}.${cut(pathKey)}`;
      const item = asObject(refs.deref(value), at);
      const shared = parametersOf(item, at, refs);
      for (const method of PATH_ITEM_METHODS) {
        if (item[method] === undefined) continue;
        const where = `${at}.${method}`;
        const fields = asObject(item[method], where);
        const own = parametersOf(fields, where, refs);
        const replaced = new Set(own.map(parameterKey));
        const parameters = [...shared.filter((p) => !replaced.has(parameterKey(p))), ...own];
        operations.push({ where, pathKey, method: method.toUpperCase(), fields, parameters });
      }
    }
  }
  return operations;
}

function parametersOf(holder: JsonObject, where: string, refs: DocumentRefs): PathOperation["parameters"] {
  return optionalArray(holder, "parameters", where).map((item, i) => {
    const at = `${where}.parameters[${i}]`;
    const fields = asObject(refs.deref(item), at);
    requiredString(fields, "name", at);
    requiredString(fields, "in", at);
    return { fields, where: at };
  });
}

const parameterKey = ({ fields }: { fields: JsonObject }): string => `${String(fields.in)}:${String(fields.name)}`;

/** An operation as far as both dialects read it alike; the request's body and the responses are each's own. */
export interface OperationHead {
  operation: Omit<ImportedOperation, "request" | "responses">;
  queryParameters: ParameterContract[];
  headers: ParameterContract[];
}

/** Gives the operations of one API their heads: names unique, no two with the same method and template. */
export class OperationHeads {
  private readonly names = new OperationNames();
  private readonly signatures = new OperationSignatures();

  constructor(private readonly translation: RequiredQueryTranslation) {}

  head(source: PathOperation, parameters: readonly LocatedParameter[]): OperationHead {
    const { where, method, fields } = source;
    const shape = operationShape(method, source.pathKey, parameters, this.translation);
    const operationId = optionalString(fields, "operationId", where);
    const name = this.names.allocate(operationId, method, shape.urlTemplate);
    this.signatures.add(method, shape.urlTemplate);
    return {
      operation: {
        name,
        displayName: operationDisplayName(
          optionalString(fields, "summary", where),
          operationId,
          method,
          shape.urlTemplate,
        ),
        method,
        urlTemplate: shape.urlTemplate,
        description: optionalString(fields, "description", where) ?? null,
        templateParameters: shape.templateParameters,
      },
      queryParameters: shape.queryParameters,
      headers: shape.headers,
    };
  }
}
