import type { Repositories } from "../store/store.js";
import type { Backend, Operation, PolicyScope } from "./model.js";
import { PolicyLoadError, type PolicyServices } from "./policy/definition.js";
import { loadPolicyDocument, namedValueLookup } from "./policy/document.js";
import { GatewayValidationError } from "./registry-errors.js";
import type { GatewaySecrets } from "./sealing.js";

export function describePolicyScope(scope: PolicyScope): string {
  if (scope.kind === "global") return "the global policy";
  if (scope.kind === "product") return `the policy of product '${scope.product}'`;
  if (scope.kind === "api") return `the policy of api '${scope.api}'`;
  return `the policy of operation '${scope.api}/${scope.operation}'`;
}

/** Whether the policy text uses `{{displayName}}` (named values are matched case-insensitively). */
export function referencesNamedValue(xml: string, displayName: string): boolean {
  const wanted = displayName.toLowerCase();
  for (const match of xml.matchAll(/\{\{([A-Za-z0-9._-]+)\}\}/g)) {
    if (match[1]?.toLowerCase() === wanted) return true;
  }
  return false;
}

/** Only set-backend-service's backend-id refers to a backend entity. */
export const referencesBackends = (xml: string): boolean => /backend-id/i.test(xml);

interface Environment {
  namedValues: Map<string, string>;
  backends: Map<string, Backend>;
  /** Secret values with their `{{displayName}}`, to keep them out of error messages. */
  secrets: [value: string, reference: string][];
}

/**
 * Compiles policy documents against the state of one transaction, as the data plane will: a document is stored only
 * if it loads. The named values and backends are read once and reused until `invalidate` (after they change).
 */
export class PolicyChecker {
  private environment: Promise<Environment> | undefined;

  constructor(
    private readonly repos: Repositories,
    private readonly secrets: GatewaySecrets,
    private readonly services: PolicyServices,
  ) {}

  invalidate(): void {
    this.environment = undefined;
  }

  /**
   * Throws GatewayValidationError with the load error (line and column) when the document does not load. An
   * operation-scope document compiles against `operation`, or the stored operation when not given.
   */
  async check(scope: PolicyScope, xml: string, operation?: Operation): Promise<void> {
    const error = await this.loadError(scope, xml, operation);
    if (error) throw new GatewayValidationError(error, [{ target: describePolicyScope(scope), message: error }]);
  }

  /** The first stored policy selected by `affected` that no longer loads, with its load error, if any. */
  async firstBroken(affected: (xml: string) => boolean): Promise<{ scope: PolicyScope; error: string } | undefined> {
    for (const policy of await this.repos.gatewayPolicies.list()) {
      if (!affected(policy.xml)) continue;
      const error = await this.loadError(policy.scope, policy.xml);
      if (error) return { scope: policy.scope, error };
    }
    return undefined;
  }

  /** The load error's message (line and column included), secret named values shown as their reference. */
  private async loadError(scope: PolicyScope, xml: string, given?: Operation): Promise<string | undefined> {
    const environment = await (this.environment ??= this.readEnvironment());
    const operation =
      scope.kind === "operation"
        ? (given ?? (await this.repos.gatewayOperations.get(scope.api, scope.operation)))
        : undefined;
    try {
      loadPolicyDocument(xml, scope, { ...environment, operation, services: this.services });
      return undefined;
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      let message = error.message;
      for (const [value, reference] of environment.secrets) message = message.split(value).join(reference);
      return message;
    }
  }

  private async readEnvironment(): Promise<Environment> {
    const [namedValues, backends] = await Promise.all([
      this.repos.gatewayNamedValues.list(),
      this.repos.gatewayBackends.list(),
    ]);
    const values = namedValues.map((nv) => ({ ...nv, value: this.secrets.namedValue(nv) }));
    return {
      namedValues: namedValueLookup(values),
      backends: new Map(backends.map((b) => [b.name, this.secrets.backend(b)])),
      secrets: values.filter((nv) => nv.secret).map((nv) => [nv.value, `{{${nv.displayName}}}`]),
    };
  }
}
