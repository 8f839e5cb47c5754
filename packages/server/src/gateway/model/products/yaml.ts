import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { byName, entriesOf, located } from "../../../config/gateway-plan.js";
import { entityYamlOf } from "../definition.js";
import { exportedPolicy, planPolicy, readPolicySource, withPolicy } from "../policies/yaml.js";
import { productFrom } from "./validation.js";

const productEntry = withPolicy({
  name: z.string().min(1),
  displayName: z.string().min(1),
  description: z.string().optional(),
  terms: z.string().optional(),
  state: z.enum(["published", "notPublished"]).optional(),
  subscriptionRequired: z.boolean().optional(),
  approvalRequired: z.boolean().optional(),
  subscriptionsLimit: z.number().int().nonnegative().nullable().optional(),
  /** APIs linked to the product (links not listed are kept). */
  apis: z.array(z.string().min(1)).optional(),
});

/** `products:` with their API links and policies. */
export const entityYaml = entityYamlOf(
  { products: z.array(productEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.products);
      for (const [where, entry] of entriesOf("products", section.products)) {
        const { name, apis = [], policy, policyFile, ...input } = entry;
        const fields = located(where, () => productFrom(name, input));
        const existing = stored.get(name);
        if (!existing || !isDeepStrictEqual({ ...existing, apis: [] }, { ...fields, apis: [] })) {
          plan.add("products", {
            where,
            changes: [`${existing ? "updated" : "created"} product ${name}`],
            run: async (tx) => void (await tx.products.put(name, input)),
          });
        }
        for (const api of apis.filter((a) => !existing?.apis.includes(a))) {
          plan.add("products", {
            where,
            changes: [`added api ${api} to product ${name}`],
            run: async (tx) => void (await tx.products.addApi(name, api)),
          });
        }
        const xml = await readPolicySource(plan, where, { policy, policyFile });
        planPolicy(plan, where, { kind: "product", product: name }, xml);
      }
    },
    export: (current) => ({
      products: current.products.map((p) => ({
        name: p.name,
        displayName: p.displayName,
        ...optionalMember("description", p.description),
        ...optionalMember("terms", p.terms),
        state: p.state,
        subscriptionRequired: p.subscriptionRequired,
        approvalRequired: p.approvalRequired,
        ...(p.subscriptionsLimit === null ? {} : { subscriptionsLimit: p.subscriptionsLimit }),
        apis: p.apis,
        ...exportedPolicy(current, { kind: "product", product: p.name }),
      })),
    }),
  },
);
