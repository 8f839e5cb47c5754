/**
 * `mock-response` (reference apim.md §2.14): answers with the operation's example for the status code (and content
 * type), or with no content; the rest of the pipeline is skipped. Schemas are not turned into samples.
 */
import { STATUS_CODES } from "node:http";
import type { Operation } from "../../model/operations/types.js";
import { HeaderMap } from "../../pipeline/headers.js";
import type { PolicyDefinition } from "../definition.js";
import { integerSetting, optionalText, valueOf } from "../setting.js";

interface Mock {
  contentType: string | undefined;
  body: string | undefined;
}

export const mockResponse: PolicyDefinition = {
  name: "mock-response",
  sections: ["inbound", "outbound", "on-error"],
  compile(element, environment) {
    const statusCode = integerSetting(element, "status-code", 200, { min: 100, max: 599 });
    const type = optionalText(element, "content-type");
    // At operation scope, with literal attributes, the example is known now; else it is looked up per request.
    const known =
      statusCode.fixed && (type === undefined || type.fixed) && environment.operation
        ? mockOf(environment.operation, statusCode.value, type?.value)
        : undefined;
    return {
      policy: "mock-response",
      id: element.id,
      run(context) {
        const status = valueOf(statusCode, context);
        const mock = known ?? mockOf(context.operation, status, type && valueOf(type, context));
        const headers = new HeaderMap();
        if (mock.body !== undefined && mock.contentType !== undefined) headers.set("Content-Type", [mock.contentType]);
        context.response = { statusCode: status, statusReason: STATUS_CODES[status] ?? "", headers, body: mock.body };
        context.ended = true;
      },
    };
  },
};

function mockOf(operation: Operation, status: number, contentType: string | undefined): Mock {
  const representations = operation.responses.find((r) => r.statusCode === status)?.representations ?? [];
  const wanted = contentType?.toLowerCase();
  const representation =
    wanted === undefined ? representations[0] : representations.find((r) => r.contentType.toLowerCase() === wanted);
  const value = Object.values(representation?.examples ?? {}).find((example) => example.value !== undefined)?.value;
  return {
    contentType: representation?.contentType,
    body: value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value),
  };
}
