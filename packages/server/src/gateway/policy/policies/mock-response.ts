/**
 * `mock-response` (reference apim.md §2.14): answers with the operation's example for the status code (and content
 * type), or with no content; the rest of the pipeline is skipped. Schemas are not turned into samples.
 */
import { STATUS_CODES } from "node:http";
import type { Operation } from "../../model.js";
import { HeaderMap } from "../../pipeline/headers.js";
import type { PolicyDefinition } from "../definition.js";

interface Mock {
  contentType: string | undefined;
  body: string | undefined;
}

export const mockResponse: PolicyDefinition = {
  name: "mock-response",
  sections: ["inbound", "outbound", "on-error"],
  compile(element, environment) {
    const status = element.integerAttribute("status-code", 200, { min: 100, max: 599 });
    const contentType = element.attribute("content-type");
    // At operation scope the example is known now; elsewhere it is the request's operation's.
    const fixed = environment.operation && mockOf(environment.operation, status, contentType);
    return {
      policy: "mock-response",
      id: element.id,
      run(context) {
        const mock = fixed ?? mockOf(context.operation, status, contentType);
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
