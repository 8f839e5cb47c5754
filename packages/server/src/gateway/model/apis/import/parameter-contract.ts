/**
 * API Management's ParameterContract from an OpenAPI parameter's schema (or a Swagger parameter, which holds the same
 * `type`, `enum` and `default` itself), and the form parameters of a form body's object schema.
 */
import type { DocumentRefs } from "./document-refs.js";
import type { ParameterContract } from "../../operations/types.js";
import { asText, defined, isObject, type JsonObject } from "./json-value.js";

/** The schema's type: OpenAPI 3.1 may list several (`[string, "null"]`); the first that is not null counts. */
export function schemaType(schema: JsonObject | undefined): string {
  const type = schema?.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const named = type.find((t): t is string => typeof t === "string" && t !== "null");
    if (named !== undefined) return named;
  }
  if (schema?.properties !== undefined) return "object";
  if (schema?.items !== undefined) return "array";
  return "string";
}

export function describedParameter(
  name: string,
  required: boolean,
  description: string | undefined,
  typed: JsonObject | undefined,
): ParameterContract {
  return defined({
    name,
    type: schemaType(typed),
    required,
    description,
    defaultValue: typed?.default === undefined || typed.default === null ? undefined : asText(typed.default),
    values: Array.isArray(typed?.enum) ? typed.enum.filter((v) => v !== null).map(asText) : [],
  });
}

/** A form body's fields: the properties of its object schema, required as the schema's `required` says. */
export function formParametersOf(schema: unknown, refs: DocumentRefs): ParameterContract[] | undefined {
  if (!isObject(schema) || !isObject(schema.properties)) return undefined;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties).map(([name, property]) => {
    const typed = refs.deref(property);
    const fields = isObject(typed) ? typed : undefined;
    const description = typeof fields?.description === "string" ? fields.description : undefined;
    return describedParameter(name, required.has(name), description, fields);
  });
}

export const isFormContentType = (contentType: string): boolean =>
  /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType);
