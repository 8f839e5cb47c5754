/** Comparing what a request produced with what the case expects; every difference is reported, in a fixed order. */
import { toPolicyString } from "../../gateway/expressions/index.js";
import type { LastError } from "../../gateway/pipeline/context.js";
import type { Expectation, TextMatcher } from "./case-schema.js";
import type { Exchange } from "./offline-gateway.js";

export interface Mismatch {
  /** What differs: `status`, `headers.X-Id`, `lastError.reason`, `json.items[0].id` … */
  field: string;
  expected: string;
  actual: string;
}

const ABSENT = "(absent)";

export function compare(expectation: Expectation, exchange: Exchange): Mismatch[] {
  const out: Mismatch[] = [];
  if (expectation.status !== undefined && expectation.status !== exchange.status) {
    out.push({ field: "status", expected: String(expectation.status), actual: describeStatus(exchange) });
  }
  for (const [name, matcher] of Object.entries(expectation.headers ?? {})) {
    check(out, `headers.${name}`, matcher, exchange.headers.get(name));
  }
  if (expectation.body !== undefined) check(out, "body", expectation.body, exchange.body);
  if (expectation.json !== undefined) compareJson(out, "json", expectation.json, exchange.body);
  for (const [name, expected] of Object.entries(expectation.variables ?? {})) {
    const { variables } = exchange;
    check(out, `variables.${name}`, expected, variables.has(name) ? toPolicyString(variables.get(name)) : undefined);
  }
  const call = exchange.backendCalls.at(-1);
  if (expectation.backendCalled !== undefined && expectation.backendCalled !== (call !== undefined)) {
    out.push({
      field: "backendCalled",
      expected: String(expectation.backendCalled),
      actual: call ? `true (${call.url})` : "false",
    });
  }
  if (expectation.backendUrl !== undefined) check(out, "backendUrl", expectation.backendUrl, call?.url);
  const sent = expectation.backendRequest;
  if (sent !== undefined) {
    if (call === undefined) {
      out.push({ field: "backendRequest", expected: "a request to the backend", actual: "no backend call" });
    } else {
      if (sent.method !== undefined) check(out, "backendRequest.method", sent.method, call.method);
      for (const [name, expected] of Object.entries(sent.headers ?? {})) {
        const value = call.headers[name.toLowerCase()];
        check(out, `backendRequest.headers.${name}`, expected, Array.isArray(value) ? value.join(",") : value);
      }
      if (sent.body !== undefined) check(out, "backendRequest.body", sent.body, call.body);
      if (sent.json !== undefined) compareJson(out, "backendRequest.json", sent.json, call.body);
      if (sent.clientCertificate !== undefined) {
        check(out, "backendRequest.clientCertificate", sent.clientCertificate, call.clientCertificate);
      }
    }
  }
  if (expectation.lastError !== undefined) compareLastError(out, expectation.lastError, exchange.lastError);
  return out;
}

/** The status with the reason the gateway refused, which is what one wants to know when it is unexpected. */
export function describeStatus(exchange: Exchange): string {
  const { lastError, note } = exchange;
  if (note !== undefined) return `${exchange.status} (${note})`;
  if (lastError === undefined) return String(exchange.status);
  return `${exchange.status} (${lastError.source} ${lastError.reason}: ${lastError.message})`;
}

function compareLastError(out: Mismatch[], expected: Expectation["lastError"], actual: LastError | undefined): void {
  if (expected === null) {
    if (actual !== undefined) {
      out.push({
        field: "lastError",
        expected: "none",
        actual: `${actual.source} ${actual.reason}: ${actual.message}`,
      });
    }
    return;
  }
  for (const [field, matcher] of Object.entries(expected ?? {})) {
    const value = actual?.[field as keyof LastError];
    check(out, `lastError.${field}`, matcher, value === undefined ? undefined : String(value));
  }
}

function check(out: Mismatch[], field: string, matcher: TextMatcher, actual: string | undefined): void {
  if (matches(matcher, actual)) return;
  out.push({
    field,
    expected: describeMatcher(matcher),
    actual: actual === undefined ? ABSENT : truncate(JSON.stringify(actual)),
  });
}

export function matches(matcher: TextMatcher, actual: string | undefined): boolean {
  switch (matcher.kind) {
    case "absent":
      return actual === undefined;
    case "equals":
      return actual === matcher.text;
    case "matches":
      return actual !== undefined && matcher.regex.test(actual);
  }
}

function describeMatcher(matcher: TextMatcher): string {
  switch (matcher.kind) {
    case "absent":
      return ABSENT;
    case "equals":
      return JSON.stringify(matcher.text);
    case "matches":
      return String(matcher.regex);
  }
}

function compareJson(out: Mismatch[], field: string, expected: unknown, body: string): void {
  let actual: unknown;
  try {
    actual = JSON.parse(body);
  } catch {
    out.push({ field, expected: "a JSON body", actual: body === "" ? "(empty)" : JSON.stringify(truncate(body)) });
    return;
  }
  const difference = jsonDifference(expected, actual, field);
  if (difference) out.push(difference);
}

/**
 * The first place where `actual` does not contain `expected`: objects may hold more properties, arrays must have the
 * same length and match element by element, other values must be equal.
 */
function jsonDifference(expected: unknown, actual: unknown, at: string): Mismatch | undefined {
  const differ = (): Mismatch => ({ field: at, expected: JSON.stringify(expected), actual: render(actual) });
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return differ();
    for (let i = 0; i < expected.length; i++) {
      const inner = jsonDifference(expected[i], actual[i], `${at}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return differ();
    for (const [key, value] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, key))
        return { field: `${at}.${key}`, expected: JSON.stringify(value), actual: ABSENT };
      const inner = jsonDifference(value, actual[key], `${at}.${key}`);
      if (inner) return inner;
    }
    return undefined;
  }
  return expected === actual ? undefined : differ();
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const render = (value: unknown): string => (value === undefined ? ABSENT : truncate(JSON.stringify(value)));

const truncate = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
