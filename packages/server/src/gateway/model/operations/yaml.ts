import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import type { GatewayConfiguration } from "../configuration.js";
import { exportedPolicy, withPolicy } from "../policies/yaml.js";

/** An operation response with its representations and examples (mock-response answers from them). */
export const gatewayResponse = z.strictObject({
  statusCode: z.number().int(),
  description: z.string().optional(),
  representations: z
    .array(
      z.strictObject({
        contentType: z.string().min(1),
        examples: z
          .record(z.string(), z.strictObject({ value: z.unknown().optional(), description: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
});

/** An entry of an API's `operations:` (planned with its API, in apis/yaml.ts). */
export const operationEntry = withPolicy({
  name: z.string().min(1),
  displayName: z.string().min(1),
  method: z.string().min(1),
  urlTemplate: z.string().min(1),
  description: z.string().optional(),
  responses: z.array(gatewayResponse).optional(),
});

/** The API's operations as exported entries, with their policies. */
export function exportOperations(current: GatewayConfiguration, api: string): z.output<typeof operationEntry>[] {
  return current.operations
    .filter((op) => op.api === api)
    .map((op) => ({
      name: op.name,
      displayName: op.displayName,
      method: op.method,
      urlTemplate: op.urlTemplate,
      ...optionalMember("description", op.description),
      ...(op.responses.length > 0 ? { responses: op.responses } : {}),
      ...exportedPolicy(current, { kind: "operation", api, operation: op.name }),
    }));
}
