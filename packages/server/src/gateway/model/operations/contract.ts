/**
 * An operation's contract as stored: parameters, representations, request and responses checked and completed
 * (absent lists empty, absent flags false), so that equal contracts compare equal however they were given.
 */
import { invalid } from "../checks.js";
import type {
  OperationRepresentation,
  OperationRequest,
  OperationResponse,
  ParameterContract,
  ParameterInput,
  RepresentationInput,
  RequestInput,
  ResponseInput,
} from "./types.js";

const present = <T>(value: T | undefined | null): value is T => value !== undefined && value !== null;

function parameterOf(input: ParameterInput, target: string, requiredByDefault = false): ParameterContract {
  if (input.name.trim() === "") throw invalid(`${target}.name`, "is required.");
  if (input.type.trim() === "") throw invalid(`${target}.type`, "is required.");
  return {
    name: input.name,
    type: input.type,
    required: input.required ?? requiredByDefault,
    ...(present(input.description) ? { description: input.description } : {}),
    ...(present(input.defaultValue) ? { defaultValue: input.defaultValue } : {}),
    values: [...(input.values ?? [])],
  };
}

const parametersOf = (inputs: readonly ParameterInput[] | undefined, target: string): ParameterContract[] =>
  (inputs ?? []).map((p, i) => parameterOf(p, `${target}[${i}]`));

function representationOf(input: RepresentationInput, target: string): OperationRepresentation {
  if (input.contentType.trim() === "") throw invalid(`${target}.contentType`, "is required.");
  return {
    contentType: input.contentType,
    ...(present(input.examples) ? { examples: input.examples } : {}),
    ...(present(input.schemaId) ? { schemaId: input.schemaId } : {}),
    ...(present(input.typeName) ? { typeName: input.typeName } : {}),
    ...(present(input.formParameters)
      ? { formParameters: parametersOf(input.formParameters, `${target}.formParameters`) }
      : {}),
  };
}

const representationsOf = (inputs: readonly RepresentationInput[] | undefined, target: string) =>
  (inputs ?? []).map((r, i) => representationOf(r, `${target}[${i}]`));

export function requestOf(input: RequestInput | null | undefined): OperationRequest {
  return {
    ...(present(input?.description) && input.description !== "" ? { description: input.description } : {}),
    queryParameters: parametersOf(input?.queryParameters, "request.queryParameters"),
    headers: parametersOf(input?.headers, "request.headers"),
    representations: representationsOf(input?.representations, "request.representations"),
  };
}

export function responseOf(input: ResponseInput, index: number): OperationResponse {
  const target = `responses[${index}]`;
  if (!Number.isInteger(input.statusCode) || input.statusCode < 100 || input.statusCode > 599) {
    throw invalid(`${target}.statusCode`, "must be an HTTP status code (100 to 599).");
  }
  return {
    statusCode: input.statusCode,
    ...(present(input.description) ? { description: input.description } : {}),
    representations: representationsOf(input.representations, `${target}.representations`),
    headers: parametersOf(input.headers, `${target}.headers`),
  };
}

/**
 * One parameter per name of the template, in its order and named as it names them: the given one (matched without
 * regard to case) or a required string. A given parameter the template does not name is refused, as API Management
 * refuses it.
 */
export function templateParametersOf(
  names: readonly string[],
  given: readonly ParameterInput[] | undefined,
): ParameterContract[] {
  const byName = new Map<string, ParameterContract>();
  (given ?? []).forEach((input, i) => {
    const target = `templateParameters[${i}]`;
    const parameter = parameterOf(input, target, true);
    const key = parameter.name.toLowerCase();
    if (!names.some((name) => name.toLowerCase() === key)) {
      throw invalid(`${target}.name`, `'${parameter.name}' is not a parameter of the URL template.`);
    }
    if (byName.has(key)) throw invalid(`${target}.name`, `names the parameter '${parameter.name}' twice.`);
    byName.set(key, parameter);
  });
  return names.map((name) => ({
    ...(byName.get(name.toLowerCase()) ?? { name, type: "string", required: true, values: [] }),
    name,
  }));
}
