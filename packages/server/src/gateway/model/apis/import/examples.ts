/**
 * Examples in API Management's shape, `{ name: { value, description } }`. A single `example` becomes `default`; a
 * schema's own example counts when the body gives none (OpenAPI 3.1's `examples` list: its first).
 */
import type { OperationExamples } from "../../operations/types.js";
import { isObject } from "./json-value.js";

export const DEFAULT_EXAMPLE = "default";

export const singleExample = (value: unknown): OperationExamples => ({ [DEFAULT_EXAMPLE]: { value } });

export function schemaExample(schema: unknown): OperationExamples | undefined {
  if (!isObject(schema)) return undefined;
  if (schema.example !== undefined) return singleExample(schema.example);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return singleExample(schema.examples[0]);
  return undefined;
}
