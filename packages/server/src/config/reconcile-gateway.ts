import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { digestsEqual } from "../crypto/secrets.js";
import { policyScopeKey, type GatewayConfiguration, type PolicyScope } from "../gateway/model.js";
import type { GatewayRegistry } from "../gateway/registry.js";
import type { GatewayWriter, NewApi } from "../gateway/registry-writer.js";
import { GatewayConflictError, GatewayNotFoundError, GatewayValidationError } from "../gateway/registry-errors.js";
import { describePolicyScope } from "../gateway/policy-check.js";
import { parseSubscriptionScope } from "../gateway/subscription-scope.js";
import {
  apiFrom,
  backendFrom,
  namedValueFrom,
  operationFrom,
  productFrom,
  subscriptionFrom,
} from "../gateway/validation.js";
import { ConfigError } from "./errors.js";
import type { GatewaySectionConfig } from "./schema.js";

/** Keys of a subscription created now without keys in the file: shown once, stored only sealed. */
export interface GeneratedSubscriptionKeys {
  subscription: string;
  primaryKey: string;
  secondaryKey: string;
}

export interface GatewayReconcileResult {
  changes: string[];
  generatedSubscriptionKeys: GeneratedSubscriptionKeys[];
}

interface Step {
  /** Where in the file the changes come from, for errors. */
  where: string;
  changes: string[];
  run(writer: GatewayWriter): Promise<void>;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();
/** Secrets from the file are compared with the stored ones in constant time. */
const sameSecret = (a: string, b: string) => digestsEqual(sha256(a), sha256(b));

const registryErrors = [GatewayValidationError, GatewayConflictError, GatewayNotFoundError];

/**
 * A registry error names the entry of the file it comes from (and, for a policy document that does not load, the
 * document); anything else is not a configuration error.
 */
function inFile(where: string, error: unknown): unknown {
  if (!registryErrors.some((type) => error instanceof type)) return error;
  const message = (error as Error).message;
  const target = error instanceof GatewayValidationError ? error.details[0]?.target : undefined;
  return new ConfigError(`${where}: ${target && !message.includes(target) ? `${target}: ` : ""}${message}`);
}

function located<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw inFile(where, error);
  }
}

/**
 * Brings the gateway to what the file says: the changes are planned by comparing each entry with the stored
 * configuration (validated as the registry will store them), then applied in one transaction in dependency order
 * — named values, backends, APIs and operations, products and links, policies, subscriptions. An unchanged file
 * writes nothing; nothing absent from the file is deleted.
 */
export async function reconcileGateway(
  gateway: GatewayRegistry,
  section: GatewaySectionConfig,
  baseDir: string,
): Promise<GatewayReconcileResult> {
  const current = await gateway.configuration();
  const plan = new Plan(current, baseDir);
  await plan.namedValues(section);
  plan.backends(section);
  await plan.apis(section);
  await plan.products(section);
  await plan.globalPolicy(section);
  plan.subscriptions(section);
  const steps = plan.steps();
  const generatedSubscriptionKeys: GeneratedSubscriptionKeys[] = [];
  if (steps.length > 0) {
    await gateway.applyBatch(async (writer) => {
      for (const step of steps) {
        try {
          await step.run(writer);
        } catch (error) {
          throw inFile(step.where, error);
        }
      }
      for (const name of plan.keysToReport) {
        generatedSubscriptionKeys.push({ subscription: name, ...(await writer.listSecrets(name)) });
      }
    });
  }
  return { changes: steps.flatMap((s) => s.changes), generatedSubscriptionKeys };
}

class Plan {
  private readonly early: Step[] = [];
  private readonly policies: Step[] = [];
  private readonly late: Step[] = [];
  readonly keysToReport: string[] = [];
  private readonly namedValuesByName;
  private readonly backendsByName;
  private readonly apisByName;
  private readonly operationsByKey;
  private readonly productsByName;
  private readonly subscriptionsByName;
  private readonly policiesByScope;

  constructor(
    current: GatewayConfiguration,
    private readonly baseDir: string,
  ) {
    this.namedValuesByName = new Map(current.namedValues.map((nv) => [nv.name, nv]));
    this.backendsByName = new Map(current.backends.map((b) => [b.name, b]));
    this.apisByName = new Map(current.apis.map((a) => [a.name, a]));
    this.operationsByKey = new Map(current.operations.map((o) => [`${o.api}/${o.name}`, o]));
    this.productsByName = new Map(current.products.map((p) => [p.name, p]));
    this.subscriptionsByName = new Map(current.subscriptions.map((s) => [s.name, s]));
    this.policiesByScope = new Map(current.policies.map((p) => [policyScopeKey(p.scope), p.xml]));
  }

  steps(): Step[] {
    return [...this.early, ...this.policies, ...this.late];
  }

  async namedValues(section: GatewaySectionConfig): Promise<void> {
    for (const [index, entry] of (section.namedValues ?? []).entries()) {
      const where = `gateway.namedValues[${index}] (${entry.name})`;
      const existing = this.namedValuesByName.get(entry.name);
      const value = entry.value ?? existing?.value;
      if (value === undefined) throw new ConfigError(`${where}: value is required to create the named value`);
      const input = { ...entry, value };
      const wanted = located(where, () => namedValueFrom(entry.name, input));
      if (
        existing &&
        existing.displayName === wanted.displayName &&
        existing.secret === wanted.secret &&
        isDeepStrictEqual(existing.tags, wanted.tags) &&
        sameSecret(existing.value, wanted.value)
      ) {
        continue;
      }
      this.early.push({
        where,
        changes: [`${existing ? "updated" : "created"} named value ${entry.name}`],
        run: async (w) => void (await w.putNamedValue(entry.name, input)),
      });
    }
  }

  backends(section: GatewaySectionConfig): void {
    for (const [index, { name, ...input }] of (section.backends ?? []).entries()) {
      const where = `gateway.backends[${index}] (${name})`;
      const wanted = located(where, () => backendFrom(name, input));
      const existing = this.backendsByName.get(name);
      if (isDeepStrictEqual(existing, wanted)) continue;
      this.early.push({
        where,
        changes: [`${existing ? "updated" : "created"} backend ${name}`],
        run: async (w) => void (await w.putBackend(name, input)),
      });
    }
  }

  /** Changes to existing APIs one by one; new APIs all at once (createApis), after them, as paths may move. */
  async apis(section: GatewaySectionConfig): Promise<void> {
    const created: NewApi[] = [];
    const createdChanges: string[] = [];
    for (const [index, entry] of (section.apis ?? []).entries()) {
      const { name, operations = [], policy, policyFile, ...input } = entry;
      const where = `gateway.apis[${index}] (${name})`;
      const api = located(where, () => apiFrom(name, input));
      const xml = await this.policySource(where, { policy, policyFile });
      const existing = this.apisByName.get(name);
      const ops = [];
      for (const [opIndex, op] of operations.entries()) {
        const { name: opName, policy: opPolicy, policyFile: opPolicyFile, ...opInput } = op;
        const opWhere = `${where}.operations[${opIndex}] (${opName})`;
        ops.push({
          where: opWhere,
          name: opName,
          input: opInput,
          operation: located(opWhere, () => operationFrom(api, opName, opInput)),
          policy: await this.policySource(opWhere, { policy: opPolicy, policyFile: opPolicyFile }),
        });
      }
      if (!existing) {
        created.push({ name, input, policy: xml, operations: ops });
        createdChanges.push(`created api ${name}`);
        if (xml !== undefined) createdChanges.push(`set ${describePolicyScope({ kind: "api", api: name })}`);
        for (const op of ops) {
          createdChanges.push(`created operation ${name}/${op.name}`);
          const scope: PolicyScope = { kind: "operation", api: name, operation: op.name };
          if (op.policy !== undefined) createdChanges.push(`set ${describePolicyScope(scope)}`);
        }
        continue;
      }
      if (!isDeepStrictEqual(existing, api)) {
        this.early.push({
          where,
          changes: [`updated api ${name}`],
          run: async (w) => void (await w.putApi(name, input)),
        });
      }
      this.policy(where, { kind: "api", api: name }, xml);
      for (const op of ops) {
        const existingOp = this.operationsByKey.get(`${name}/${op.name}`);
        if (!isDeepStrictEqual(existingOp, op.operation)) {
          this.early.push({
            where: op.where,
            changes: [`${existingOp ? "updated" : "created"} operation ${name}/${op.name}`],
            run: async (w) => void (await w.putOperation(name, op.name, op.input)),
          });
        }
        this.policy(op.where, { kind: "operation", api: name, operation: op.name }, op.policy);
      }
    }
    if (created.length > 0) {
      this.early.push({ where: "gateway.apis", changes: createdChanges, run: (w) => w.createApis(created) });
    }
  }

  async products(section: GatewaySectionConfig): Promise<void> {
    for (const [index, entry] of (section.products ?? []).entries()) {
      const { name, apis = [], policy, policyFile, ...input } = entry;
      const where = `gateway.products[${index}] (${name})`;
      const fields = located(where, () => productFrom(name, input));
      const existing = this.productsByName.get(name);
      if (!existing || !isDeepStrictEqual({ ...existing, apis: [] }, { ...fields, apis: [] })) {
        this.early.push({
          where,
          changes: [`${existing ? "updated" : "created"} product ${name}`],
          run: async (w) => void (await w.putProduct(name, input)),
        });
      }
      for (const api of apis.filter((a) => !existing?.apis.includes(a))) {
        this.early.push({
          where,
          changes: [`added api ${api} to product ${name}`],
          run: async (w) => void (await w.addProductApi(name, api)),
        });
      }
      this.policy(where, { kind: "product", product: name }, await this.policySource(where, { policy, policyFile }));
    }
  }

  async globalPolicy(section: GatewaySectionConfig): Promise<void> {
    this.policy("gateway", { kind: "global" }, await this.policySource("gateway", section));
  }

  subscriptions(section: GatewaySectionConfig): void {
    for (const [index, entry] of (section.subscriptions ?? []).entries()) {
      const { name, scope: scopeText, ...rest } = entry;
      const where = `gateway.subscriptions[${index}] (${name})`;
      const input = { ...rest, scope: located(where, () => parseSubscriptionScope(scopeText)) };
      const existing = this.subscriptionsByName.get(name);
      const wanted = located(where, () => subscriptionFrom(name, input, existing?.createdDate ?? ""));
      if (existing) {
        const { primaryKey, secondaryKey, ...stored } = existing;
        const keysChanged =
          (entry.primaryKey !== undefined && !sameSecret(entry.primaryKey, primaryKey)) ||
          (entry.secondaryKey !== undefined && !sameSecret(entry.secondaryKey, secondaryKey));
        if (!keysChanged && isDeepStrictEqual(stored, wanted)) continue;
      } else if (entry.primaryKey === undefined || entry.secondaryKey === undefined) {
        this.keysToReport.push(name);
      }
      this.late.push({
        where,
        changes: [`${existing ? "updated" : "created"} subscription ${name}`],
        run: async (w) => void (await w.putSubscription(name, input)),
      });
    }
  }

  /** A policy document given inline or by file, if any. */
  private async policySource(
    where: string,
    source: { policy?: string | undefined; policyFile?: string | undefined },
  ): Promise<string | undefined> {
    return source.policy ?? (source.policyFile ? await this.readPolicyFile(where, source.policyFile) : undefined);
  }

  /** Sets the document unless the store has exactly this one. */
  private policy(where: string, scope: PolicyScope, xml: string | undefined): void {
    if (xml === undefined || this.policiesByScope.get(policyScopeKey(scope)) === xml) return;
    this.policies.push({
      where,
      changes: [`set ${describePolicyScope(scope)}`],
      run: async (w) => void (await w.putPolicy(scope, xml)),
    });
  }

  private async readPolicyFile(where: string, file: string): Promise<string> {
    const path = resolve(this.baseDir, file);
    try {
      return await readFile(path, "utf8");
    } catch {
      throw new ConfigError(`${where}: cannot read policyFile ${path}`);
    }
  }
}
