import assert from "node:assert/strict";
import type { ApiResponse, AdminHarness, CallOptions } from "../admin/helpers.js";

export const ARM =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1";
export const SHORT = "/gateway";

export interface ArmErrorBody {
  error: { code: string; message: string; details: { code: string; target?: string; message: string }[] };
}

export interface Resource<P = Record<string, unknown>> {
  id: string;
  type: string;
  name: string;
  properties: P;
}

export interface Page<P = Record<string, unknown>> {
  value: Resource<P>[];
  count: number;
  nextLink: string | null;
}

/** Asserts an ARM error response (status, code, exactly `code`/`message`/`details`) and returns its error. */
export function assertArmError(response: ApiResponse<unknown>, status: number, code: string): ArmErrorBody["error"] {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = response.json as ArmErrorBody;
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.deepEqual(Object.keys(body.error), ["code", "message", "details"]);
  assert.equal(body.error.code, code, response.text);
  assert.equal(typeof body.error.message, "string");
  assert.ok(Array.isArray(body.error.details));
  assert.doesNotMatch(response.text, /\n\s+at /, "no stack trace");
  return body.error;
}

/** A PUT that must answer `status` (201 created, 200 replaced); returns the resource. */
export async function put<P = Record<string, unknown>>(
  h: AdminHarness,
  path: string,
  body: unknown,
  status: 200 | 201 = 201,
  options: CallOptions = {},
): Promise<Resource<P>> {
  const response = await h.call<Resource<P>>("PUT", path, { ...options, body });
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get("etag") ?? "", /^"[\w-]+"$/);
  return response.json;
}
