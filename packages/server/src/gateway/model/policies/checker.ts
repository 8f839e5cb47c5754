import type { Backend } from "../backends/types.js";
import { CertificateIndex } from "../certificates/lookup.js";
import type { PolicyScope } from "../configuration.js";
import { GatewayValidationError } from "../errors.js";
import type { Operation } from "../operations/types.js";
import type { GatewayTransaction } from "../transaction.js";
import { PolicyLoadError } from "../../policy/definition.js";
import { loadPolicyDocument, namedValueLookup } from "../../policy/document.js";
import type { GatewayPolicyRepository } from "./repository.js";

export function describePolicyScope(scope: PolicyScope): string {
  if (scope.kind === "global") return "the global policy";
  if (scope.kind === "product") return `the policy of product '${scope.product}'`;
  if (scope.kind === "api") return `the policy of api '${scope.api}'`;
  return `the policy of operation '${scope.api}/${scope.operation}'`;
}

/** A stored document no longer loads, with its load error. */
export interface BrokenPolicy {
  scope: PolicyScope;
  error: string;
}

/** The refusal of a change to `subject` (e.g. `Backend 'b'`) that would leave a stored document unable to load. */
export function breaksPolicy(subject: string, broken: BrokenPolicy): GatewayValidationError {
  const where = describePolicyScope(broken.scope);
  const message = `${subject} cannot change this way: ${where} would no longer load (${broken.error}).`;
  return new GatewayValidationError(message, [{ target: where, message: broken.error }]);
}

/** Whether the policy text uses `{{displayName}}` (named values are matched case-insensitively). */
export function referencesNamedValue(xml: string, displayName: string): boolean {
  const wanted = displayName.toLowerCase();
  for (const match of xml.matchAll(/\{\{([A-Za-z0-9._-]+)\}\}/g)) {
    if (match[1]?.toLowerCase() === wanted) return true;
  }
  return false;
}

/** certificate-id (authentication-certificate, validate-jwt's key, issuer-certificate-id) and thumbprint refer to them. */
export const referencesCertificates = (xml: string): boolean => /certificate-id|thumbprint|backend-id/i.test(xml);

/** Only set-backend-service's backend-id refers to a backend entity. */
export const referencesBackends = (xml: string): boolean => /backend-id/i.test(xml);

interface Environment {
  namedValues: Map<string, string>;
  backends: Map<string, Backend>;
  certificates: CertificateIndex;
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
    private readonly tx: GatewayTransaction,
    private readonly documents: GatewayPolicyRepository,
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
  async firstBroken(affected: (xml: string) => boolean): Promise<BrokenPolicy | undefined> {
    for (const policy of await this.documents.list()) {
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
      scope.kind === "operation" ? (given ?? (await this.tx.operations.get(scope.api, scope.operation))) : undefined;
    try {
      loadPolicyDocument(xml, scope, { ...environment, operation, services: this.tx.services });
      return undefined;
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      let message = error.message;
      for (const [value, reference] of environment.secrets) message = message.split(value).join(reference);
      return message;
    }
  }

  private async readEnvironment(): Promise<Environment> {
    const [values, backends, certificates] = await Promise.all([
      this.tx.namedValues.withValues(),
      this.tx.backends.list(),
      this.tx.certificates.withMaterial(),
    ]);
    return {
      certificates: new CertificateIndex(certificates),
      namedValues: namedValueLookup(values),
      backends: new Map(backends.map((b) => [b.name, b])),
      secrets: values.filter((nv) => nv.secret).map((nv) => [nv.value, `{{${nv.displayName}}}`]),
    };
  }
}
