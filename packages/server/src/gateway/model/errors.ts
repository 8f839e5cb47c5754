/** The entity kinds of the gateway registry, as API Management names them in its errors ("Api not found."). */
export type GatewayEntityKind =
  | "Api"
  | "Operation"
  | "Product"
  | "Subscription"
  | "NamedValue"
  | "Backend"
  | "Certificate"
  | "Policy"
  | "User"
  | "Group"
  | "ClientApplication"
  | "ClientApplicationProductLink";

/** The named entity does not exist. */
export class GatewayNotFoundError extends Error {
  override name = "GatewayNotFoundError";
  constructor(
    readonly kind: GatewayEntityKind,
    /** The entity's name (APIM id); for an operation `api/operation`. */
    readonly entity: string,
  ) {
    super(`${kind} '${entity}' does not exist.`);
  }
}

/** The change clashes with what exists (a duplicate path, a named value still in use …). */
export class GatewayConflictError extends Error {
  override name = "GatewayConflictError";
}

/** The change would alter a built-in object (a system group), which API Management keeps as it is. */
export class GatewayBuiltInError extends Error {
  override name = "GatewayBuiltInError";
}

export interface ValidationDetail {
  /** The property or object at fault, e.g. `path` or `policy of api 'numbers'`. */
  target: string;
  message: string;
}

/** The input is invalid; messages name the property and never include a secret value. */
export class GatewayValidationError extends Error {
  override name = "GatewayValidationError";
  constructor(
    message: string,
    readonly details: ValidationDetail[] = [],
  ) {
    super(message);
  }
}
