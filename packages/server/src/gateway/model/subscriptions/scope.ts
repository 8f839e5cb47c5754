import type { SubscriptionScope } from "./types.js";
import { GatewayValidationError } from "../errors.js";

/** APIM's scope text: `/apis`, `/apis/{api}` or `/products/{product}` (a full ARM id ending in one of them too). */
export function parseSubscriptionScope(text: string): SubscriptionScope {
  const match = /\/(apis|products)(?:\/([^/]+))?\/?$/i.exec(text.trim());
  const collection = match?.[1]?.toLowerCase();
  const name = match?.[2];
  if (collection === "apis") return name === undefined ? { kind: "allApis" } : { kind: "api", api: name };
  if (collection === "products" && name !== undefined) return { kind: "product", product: name };
  throw new GatewayValidationError(`scope '${text}' must be /apis, /apis/{apiId} or /products/{productId}.`, [
    { target: "scope", message: "must be /apis, /apis/{apiId} or /products/{productId}" },
  ]);
}

export function formatSubscriptionScope(scope: SubscriptionScope): string {
  if (scope.kind === "api") return `/apis/${scope.api}`;
  if (scope.kind === "product") return `/products/${scope.product}`;
  return "/apis";
}
