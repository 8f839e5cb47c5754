import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { byName, entriesOf, inFile, located, type GatewayPlan } from "../../../config/gateway-plan.js";
import { invalid } from "../checks.js";
import type { PolicyScope } from "../configuration.js";
import { entityYamlOf } from "../definition.js";
import { operationFrom } from "../operations/validation.js";
import { exportOperations, operationEntry } from "../operations/yaml.js";
import { describePolicyScope } from "../policies/checker.js";
import { exportedPolicy, planPolicy, readPolicySource, withPolicy } from "../policies/yaml.js";
import type { Operation, OperationInput } from "../operations/types.js";
import { documentDigest } from "./document-repository.js";
import type { NewApi } from "./entity.js";
import { importApiDocumentFile, type ImportedApi } from "./import/index.js";
import type { ApiInput } from "./types.js";
import { apiFrom, importedApiInput } from "./validation.js";

/** A document the API is imported from: a file (its format told by its extension) or the file with options. */
const specification = z.union([
  z.string().min(1),
  z.strictObject({
    file: z.string().min(1),
    format: z.string().min(1).optional(),
    wsdlSelector: z
      .strictObject({ wsdlServiceName: z.string().min(1).optional(), wsdlEndpointName: z.string().min(1).optional() })
      .optional(),
    translateRequiredQueryParameters: z.enum(["template", "query"]).optional(),
  }),
]);

const apiEntry = withPolicy({
  name: z.string().min(1),
  /** Required unless the specification has a title. */
  displayName: z.string().min(1).optional(),
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
  specification: specification.optional(),
  operations: z.array(operationEntry).optional(),
});

type ApiEntry = z.output<typeof apiEntry>;
type GivenApi = Omit<ApiEntry, "name" | "operations" | "policy" | "policyFile" | "specification">;

/** The document the entry's specification names, read (relative to the configuration file) and imported. */
async function readSpecification(
  plan: GatewayPlan,
  where: string,
  given: NonNullable<ApiEntry["specification"]>,
  apiType: GivenApi["apiType"],
): Promise<ImportedApi> {
  const { file, ...options } = typeof given === "string" ? { file: given } : given;
  try {
    return await importApiDocumentFile(resolve(plan.baseDir, file), { ...options, apiType });
  } catch (error) {
    throw inFile(`${where}.specification`, error);
  }
}

/** The API the entry describes: with a specification, what the entry leaves out comes from the document. */
function apiInputOf(given: GivenApi, imported: ImportedApi | undefined): ApiInput {
  if (imported !== undefined) {
    const { apiType: _type, ...rest } = given;
    return importedApiInput(rest, imported);
  }
  const { displayName } = given;
  if (displayName === undefined) throw invalid("displayName", "is required (or a specification to take it from).");
  return { ...given, displayName };
}

interface PlannedOperation {
  where: string;
  name: string;
  input: OperationInput;
  operation: Operation;
  policy: string | undefined;
}

const sameDocument = (plan: GatewayPlan, api: string, { document }: ImportedApi): boolean =>
  plan.current.apiDocuments.some(
    (stored) =>
      stored.api === api && stored.format === document.format && stored.digest === documentDigest(document.text),
  );

/**
 * `apis:` with their operations and policies. Changes to existing APIs are planned one by one; new APIs all at once
 * (`apis.createMany`), after them, as paths may move. An API's operations are its entry's, so their steps are the
 * API's too. An entry's specification gives the API its operations (an entry of `operations:` of the same name
 * takes the place of the document's) and what the entry leaves out of displayName, description and serviceUrl; as
 * everywhere in the file, what it no longer holds is not deleted.
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
        const { name, operations = [], policy, policyFile, specification, ...given } = entry;
        const imported =
          specification === undefined ? undefined : await readSpecification(plan, where, specification, given.apiType);
        const input = located(where, () => apiInputOf(given, imported));
        const api = located(where, () => apiFrom(name, input));
        const xml = await readPolicySource(plan, where, { policy, policyFile });
        const existing = stored.get(name);
        const listed = new Set(operations.map((op) => op.name));
        const ops = (imported?.operations ?? [])
          .filter((op) => !listed.has(op.name))
          .map((op): PlannedOperation => {
            const opWhere = `${where}.specification (${op.name})`;
            const operation = located(opWhere, () => operationFrom(api, op.name, op));
            return { where: opWhere, name: op.name, input: op, operation, policy: undefined };
          });
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
          created.push({ name, input, policy: xml, operations: ops, imported });
          createdChanges.push(`created api ${name}`);
          if (imported) createdChanges.push(`stored the document of api ${name}`);
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
        if (imported && !sameDocument(plan, name, imported)) {
          plan.add("apis", {
            where: `${where}.specification`,
            changes: [`stored the document of api ${name}`],
            run: (tx) => tx.apis.keepDocument(name, imported),
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
