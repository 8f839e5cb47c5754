import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { byName, entriesOf, located } from "../../../config/gateway-plan.js";
import type { PolicyScope } from "../configuration.js";
import { entityYamlOf } from "../definition.js";
import { operationFrom } from "../operations/validation.js";
import { exportOperations, operationEntry } from "../operations/yaml.js";
import { describePolicyScope } from "../policies/checker.js";
import { exportedPolicy, planPolicy, readPolicySource, withPolicy } from "../policies/yaml.js";
import type { NewApi } from "./entity.js";
import { apiFrom } from "./validation.js";

const apiEntry = withPolicy({
  name: z.string().min(1),
  displayName: z.string().min(1),
  description: z.string().optional(),
  path: z.string(),
  serviceUrl: z.string().min(1).optional(),
  protocols: z
    .array(z.enum(["http", "https"]))
    .min(1)
    .optional(),
  apiType: z.enum(["http", "soap"]).optional(),
  subscriptionRequired: z.boolean().optional(),
  subscriptionKeyParameterNames: z
    .strictObject({ header: z.string().min(1).optional(), query: z.string().min(1).optional() })
    .optional(),
  operations: z.array(operationEntry).optional(),
});

/**
 * `apis:` with their operations and policies. Changes to existing APIs are planned one by one; new APIs all at once
 * (`apis.createMany`), after them, as paths may move. An API's operations are its entry's, so their steps are the
 * API's too.
 */
export const entityYaml = entityYamlOf(
  { apis: z.array(apiEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.apis);
      const storedOperations = new Map(plan.current.operations.map((o) => [`${o.api}/${o.name}`, o]));
      const created: NewApi[] = [];
      const createdChanges: string[] = [];
      for (const [where, entry] of entriesOf("apis", section.apis)) {
        const { name, operations = [], policy, policyFile, ...input } = entry;
        const api = located(where, () => apiFrom(name, input));
        const xml = await readPolicySource(plan, where, { policy, policyFile });
        const existing = stored.get(name);
        const ops = [];
        for (const [opIndex, op] of operations.entries()) {
          const { name: opName, policy: opPolicy, policyFile: opPolicyFile, ...opInput } = op;
          const opWhere = `${where}.operations[${opIndex}] (${opName})`;
          ops.push({
            where: opWhere,
            name: opName,
            input: opInput,
            operation: located(opWhere, () => operationFrom(api, opName, opInput)),
            policy: await readPolicySource(plan, opWhere, { policy: opPolicy, policyFile: opPolicyFile }),
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
          plan.add("apis", {
            where,
            changes: [`updated api ${name}`],
            run: async (tx) => void (await tx.apis.put(name, input)),
          });
        }
        planPolicy(plan, where, { kind: "api", api: name }, xml);
        for (const op of ops) {
          const existingOp = storedOperations.get(`${name}/${op.name}`);
          if (!isDeepStrictEqual(existingOp, op.operation)) {
            plan.add("apis", {
              where: op.where,
              changes: [`${existingOp ? "updated" : "created"} operation ${name}/${op.name}`],
              run: async (tx) => void (await tx.operations.put(name, op.name, op.input)),
            });
          }
          planPolicy(plan, op.where, { kind: "operation", api: name, operation: op.name }, op.policy);
        }
      }
      if (created.length > 0) {
        plan.add("apis", { where: "gateway.apis", changes: createdChanges, run: (tx) => tx.apis.createMany(created) });
      }
    },
    export: (current) => ({
      apis: current.apis.map((api) => ({
        name: api.name,
        displayName: api.displayName,
        ...optionalMember("description", api.description),
        path: api.path,
        ...optionalMember("serviceUrl", api.serviceUrl),
        protocols: api.protocols,
        apiType: api.apiType,
        subscriptionRequired: api.subscriptionRequired,
        subscriptionKeyParameterNames: api.subscriptionKeyParameterNames,
        ...exportedPolicy(current, { kind: "api", api: api.name }),
        operations: exportOperations(current, api.name),
      })),
    }),
  },
);
