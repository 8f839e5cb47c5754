import assert from "node:assert/strict";
import type { RawResponse } from "../helpers/raw-http.js";

/** Each listener's refusals, asserted by their counterpart's shape; never a framework's or node's own body. */
function json(response: RawResponse, status: number): Record<string, unknown> {
  assert.equal(response.status, status, response.body);
  assert.match(response.headers["content-type"] ?? "", /^application\/json/);
  assert.doesNotMatch(response.body, /FST_|Client Error/);
  return JSON.parse(response.body) as Record<string, unknown>;
}

export function assertEntra(response: RawResponse, status: number): void {
  const body = json(response, status);
  assert.equal(body.error, "invalid_request");
  assert.ok(Array.isArray(body.error_codes), response.body);
  assert.match(String(body.error_description), /^AADSTS\d+: .+\r\nTrace ID: /);
  assert.equal(typeof body.correlation_id, "string");
}

export function assertGraph(response: RawResponse, status: number): void {
  const { error } = json(response, status) as { error: { code: string; message: string; innerError: object } };
  assert.equal(typeof error.code, "string");
  assert.ok(error.message.length > 0);
  assert.ok("request-id" in error.innerError, response.body);
}

export function assertArm(response: RawResponse, status: number): void {
  const { error } = json(response, status) as { error: { code: string; message: string; details: unknown[] } };
  assert.equal(typeof error.code, "string");
  assert.ok(error.message.length > 0);
  assert.ok(Array.isArray(error.details), response.body);
  assert.ok(!("innerError" in error));
}

export function assertApim(response: RawResponse, status: number): void {
  json(response, status);
  assert.match(response.body, new RegExp(`^\\{ "statusCode": ${status}, "message": "[^"]+" \\}$`));
}
