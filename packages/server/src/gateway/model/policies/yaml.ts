import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../../../config/errors.js";
import type { GatewayPlan } from "../../../config/gateway-plan.js";
import { policyScopeKey, type GatewayConfiguration, type PolicyScope } from "../configuration.js";
import { entityYamlOf } from "../definition.js";
import { describePolicyScope } from "./checker.js";

/** The members by which an entry (the section for the global policy, an API, operation or product) sets its policy. */
const policySource = {
  /** The policy document (raw XML) … */
  policy: z.string().min(1).optional(),
  /** … or a file holding it, relative to the configuration file. */
  policyFile: z.string().min(1).optional(),
};
type PolicySource = { policy?: string | undefined; policyFile?: string | undefined };
const onePolicySource = (o: PolicySource) => o.policy === undefined || o.policyFile === undefined;
const onePolicyMessage = "give at most one of policy and policyFile";

/** An entry of an API, operation or product, with the policy members. */
export const withPolicy = <Shape extends z.core.$ZodShape>(shape: Shape) =>
  // The entry has the policy members, which zod's types do not show of a generic shape.
  z.strictObject({ ...shape, ...policySource }).refine((e) => onePolicySource(e as PolicySource), onePolicyMessage);

/** The entry's policy document, given inline or by file, if any. */
export async function readPolicySource(
  plan: GatewayPlan,
  where: string,
  source: PolicySource,
): Promise<string | undefined> {
  if (source.policy !== undefined || !source.policyFile) return source.policy;
  const path = resolve(plan.baseDir, source.policyFile);
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new ConfigError(`${where}: cannot read policyFile ${path}`);
  }
}

const storedDocuments = new WeakMap<GatewayConfiguration, Map<string, string>>();

/** The documents of a configuration by scope key, made once per configuration. */
function documentsOf(current: GatewayConfiguration): Map<string, string> {
  let documents = storedDocuments.get(current);
  if (!documents) {
    documents = new Map(current.policies.map((p) => [policyScopeKey(p.scope), p.xml]));
    storedDocuments.set(current, documents);
  }
  return documents;
}

/** Plans setting the document at the scope, unless there is none or the store has exactly this one. */
export function planPolicy(plan: GatewayPlan, where: string, scope: PolicyScope, xml: string | undefined): void {
  if (xml === undefined || documentsOf(plan.current).get(policyScopeKey(scope)) === xml) return;
  plan.add("policies", {
    where,
    changes: [`set ${describePolicyScope(scope)}`],
    run: async (tx) => void (await tx.policies.put(scope, xml)),
  });
}

/** The `policy` member of an exported entry: the document at the scope, if any. */
export function exportedPolicy(current: GatewayConfiguration, scope: PolicyScope): { policy?: string } {
  const xml = documentsOf(current).get(policyScopeKey(scope));
  return xml === undefined ? {} : { policy: xml };
}

/** The global policy, at the section's top; the others are members of their API's, operation's or product's entry. */
export const entityYaml = entityYamlOf(policySource, {
  check: (section) => (onePolicySource(section) ? undefined : onePolicyMessage),
  async plan(section, plan) {
    planPolicy(plan, "gateway", { kind: "global" }, await readPolicySource(plan, "gateway", section));
  },
  export: (current) => exportedPolicy(current, { kind: "global" }),
});
