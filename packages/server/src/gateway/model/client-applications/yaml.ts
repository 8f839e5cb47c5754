import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { byName, entriesOf, located } from "../../../config/gateway-plan.js";
import { entityYamlOf } from "../definition.js";
import { formatOwnerId, parseOwnerId } from "../users/owner-id.js";
import { clientApplicationFrom } from "./validation.js";

const clientApplicationEntry = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1),
  description: z.string().optional(),
  /** `/users/{userId}`. */
  ownerId: z.string().min(1),
  /** Products (with application-token) the application is linked to; links not listed are kept. */
  products: z.array(z.string().min(1)).optional(),
});

/**
 * `clientApplications:` with their product links. A file never holds a registration id or a secret: the server
 * registers the applications and grants their products (ApplicationSync), and secrets come from listSecrets.
 */
export const entityYaml = entityYamlOf(
  { clientApplications: z.array(clientApplicationEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.clientApplications);
      for (const [where, entry] of entriesOf("clientApplications", section.clientApplications)) {
        const { name, products = [], ownerId, ...rest } = entry;
        const input = { ...rest, ownerId: located(where, () => parseOwnerId("ownerId", ownerId)) };
        const fields = located(where, () => clientApplicationFrom(name, input));
        const existing = stored.get(name);
        const { entra: _entra, productLinks = [], ...current } = existing ?? {};
        if (!existing || !isDeepStrictEqual(current, fields)) {
          plan.add("clientApplications", {
            where,
            changes: [`${existing ? "updated" : "created"} client application ${name}`],
            run: async (tx) => void (await tx.clientApplications.put(name, input)),
          });
        }
        for (const product of products.filter((p) => !productLinks.some((link) => link.product === p))) {
          plan.add("clientApplications", {
            where,
            changes: [`linked client application ${name} to product ${product}`],
            run: async (tx) => void (await tx.clientApplications.putLink(name, product, product, false)),
          });
        }
      }
    },
    export: (current) => ({
      clientApplications: current.clientApplications.map((app) => ({
        name: app.name,
        displayName: app.displayName,
        ...optionalMember("description", app.description),
        ownerId: formatOwnerId(app.ownerId),
        products: app.productLinks.map((link) => link.product),
      })),
    }),
  },
);
