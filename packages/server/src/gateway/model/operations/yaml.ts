import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import type { GatewayConfiguration } from "../configuration.js";
import { exportedPolicy, withPolicy } from "../policies/yaml.js";
import { contractSchemas } from "./contract-schemas.js";
import type { Operation, OperationRepresentation, OperationResponse, ParameterContract } from "./types.js";

const { templateParameters, request, response } = contractSchemas("refuse-unknown");

/** An operation response with its representations and examples (mock-response answers from them). */
export const gatewayResponse = response;

/** An entry of an API's `operations:` (planned with its API, in apis/yaml.ts). */
export const operationEntry = withPolicy({
  name: z.string().min(1),
  displayName: z.string().min(1),
  method: z.string().min(1),
  urlTemplate: z.string().min(1),
  description: z.string().optional(),
  templateParameters,
  request: request.optional(),
  responses: z.array(response).optional(),
});

type OperationEntry = z.output<typeof operationEntry>;

/** What a template parameter is unless told otherwise: a required string with no values. */
const isPlain = (p: ParameterContract) =>
  p.type === "string" &&
  p.required &&
  p.values.length === 0 &&
  p.description === undefined &&
  p.defaultValue === undefined;

/** `{ key: items }`, or nothing for no items: exported entries leave out what is empty by default. */
const nonEmpty = <K extends string, T>(key: K, items: readonly T[]) =>
  (items.length > 0 ? { [key]: items } : {}) as Partial<Record<K, T[]>>;

/** A parameter as an entry, without the empty list of values it has by default. */
const exportedParameter = ({ values, ...parameter }: ParameterContract) => ({
  ...parameter,
  ...nonEmpty("values", values),
});

const exportedParameters = <K extends string>(key: K, parameters: readonly ParameterContract[]) =>
  nonEmpty(key, parameters.map(exportedParameter));

const exportedRepresentations = (representations: readonly OperationRepresentation[]) =>
  nonEmpty(
    "representations",
    representations.map(({ formParameters, ...representation }) => ({
      ...representation,
      ...(formParameters !== undefined ? { formParameters: formParameters.map(exportedParameter) } : {}),
    })),
  );

function exportedRequest(operation: Operation): Pick<OperationEntry, "request"> {
  const { description, queryParameters, headers, representations } = operation.request;
  const entry = {
    ...optionalMember("description", description),
    ...exportedParameters("queryParameters", queryParameters),
    ...exportedParameters("headers", headers),
    ...exportedRepresentations(representations),
  };
  return Object.keys(entry).length > 0 ? { request: entry } : {};
}

const exportedResponse = (response: OperationResponse) => ({
  statusCode: response.statusCode,
  ...optionalMember("description", response.description),
  ...exportedRepresentations(response.representations),
  ...exportedParameters("headers", response.headers),
});

/** The API's operations as exported entries, with their policies. */
export function exportOperations(current: GatewayConfiguration, api: string): OperationEntry[] {
  return current.operations
    .filter((op) => op.api === api)
    .map((op) => ({
      name: op.name,
      displayName: op.displayName,
      method: op.method,
      urlTemplate: op.urlTemplate,
      ...optionalMember("description", op.description),
      ...(op.templateParameters.some((p) => !isPlain(p))
        ? { templateParameters: op.templateParameters.map(exportedParameter) }
        : {}),
      ...exportedRequest(op),
      ...nonEmpty("responses", op.responses.map(exportedResponse)),
      ...exportedPolicy(current, { kind: "operation", api, operation: op.name }),
    }));
}
