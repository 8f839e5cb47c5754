/**
 * The API schema an OpenAPI or Swagger import creates: the document's named schemas (`components.schemas`,
 * `definitions`) kept as they are — references between them stay valid — plus the inline schemas of request and
 * response bodies, under generated names. A representation names its schema by `schemaId` and `typeName`.
 */
import { OPENAPI_COMPONENTS, SWAGGER_DEFINITIONS, type ImportedSchema, type SchemaMap } from "./imported-api.js";
import type { OperationRepresentation } from "../../operations/types.js";
import { refSegments } from "./document-refs.js";
import { isObject } from "./json-value.js";

export type SchemaDialect = "openapi" | "swagger";

/** Where a dialect's named schemas live: `#/components/schemas/{name}`, `#/definitions/{name}`. */
export const SCHEMA_PATH: Record<SchemaDialect, readonly string[]> = {
  openapi: ["components", "schemas"],
  swagger: ["definitions"],
};

/** The id of the schema an import creates; one per API, so a re-import replaces it. */
const SCHEMA_ID: Record<SchemaDialect, string> = { openapi: "openapi-components", swagger: "swagger-definitions" };

export class SchemaCollector {
  private readonly generated = new Map<object, string>();
  private readonly taken: Set<string>;
  private readonly schemas: SchemaMap;

  constructor(
    private readonly dialect: SchemaDialect,
    named: SchemaMap | undefined,
  ) {
    this.schemas = { ...named };
    this.taken = new Set(Object.keys(this.schemas));
  }

  /** `schemaId` and `typeName` for a body schema; an inline one is added under `suggestedName` (made unique). */
  reference(schema: unknown, suggestedName: string): Pick<OperationRepresentation, "schemaId" | "typeName"> {
    if (!isObject(schema)) return {};
    const typeName = typeof schema.$ref === "string" ? namedType(this.dialect, schema.$ref) : undefined;
    if (typeName !== undefined && Object.hasOwn(this.schemas, typeName)) {
      return { schemaId: SCHEMA_ID[this.dialect], typeName };
    }
    return { schemaId: SCHEMA_ID[this.dialect], typeName: this.inline(schema, suggestedName) };
  }

  private inline(schema: object, suggestedName: string): string {
    let typeName = this.generated.get(schema);
    if (typeName === undefined) {
      typeName = this.unique(suggestedName);
      this.generated.set(schema, typeName);
      this.schemas[typeName] = schema;
    }
    return typeName;
  }

  result(): ImportedSchema[] {
    if (this.taken.size === 0) return [];
    const id = SCHEMA_ID[this.dialect];
    const schemas = this.schemas;
    return this.dialect === "openapi"
      ? [{ id, contentType: OPENAPI_COMPONENTS, document: { components: { schemas } } }]
      : [{ id, contentType: SWAGGER_DEFINITIONS, document: { definitions: schemas } }];
  }

  private unique(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}-${n}`;
    this.taken.add(name);
    return name;
  }
}

/** The name of the dialect's named schema a reference points to, if it points to one. */
export function namedType(dialect: SchemaDialect, ref: string): string | undefined {
  const segments = refSegments(ref);
  const path = SCHEMA_PATH[dialect];
  if (segments?.length !== path.length + 1 || path.some((key, i) => segments[i] !== key)) return undefined;
  return segments[path.length];
}
