import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { dateTime } from "../../../config/fields.js";
import { byName, entriesOf, located, sameSecret } from "../../../config/gateway-plan.js";
import { entityYamlOf } from "../definition.js";
import { formatSubscriptionScope, parseSubscriptionScope } from "./scope.js";
import { subscriptionFrom } from "./validation.js";

const subscriptionEntry = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1),
  /** `/apis`, `/apis/{api}` or `/products/{product}`. */
  scope: z.string().min(1),
  state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]).optional(),
  allowTracing: z.boolean().optional(),
  /** Literal or `${ENV_VAR}`; absent: kept, or generated once and printed for a new subscription. */
  primaryKey: z.string().min(1).optional(),
  secondaryKey: z.string().min(1).optional(),
  startDate: dateTime.optional(),
  expirationDate: dateTime.optional(),
});

/** `subscriptions:`; keys are compared in constant time and never exported, which applying reads as "keep them". */
export const entityYaml = entityYamlOf(
  { subscriptions: z.array(subscriptionEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.subscriptions);
      for (const [where, entry] of entriesOf("subscriptions", section.subscriptions)) {
        const { name, scope: scopeText, ...rest } = entry;
        const input = { ...rest, scope: located(where, () => parseSubscriptionScope(scopeText)) };
        const existing = stored.get(name);
        const wanted = located(where, () => subscriptionFrom(name, input, existing?.createdDate ?? ""));
        let generatesKeys = false;
        if (existing) {
          const { primaryKey, secondaryKey, ...current } = existing;
          const keysChanged =
            (entry.primaryKey !== undefined && !sameSecret(entry.primaryKey, primaryKey)) ||
            (entry.secondaryKey !== undefined && !sameSecret(entry.secondaryKey, secondaryKey));
          if (!keysChanged && isDeepStrictEqual(current, wanted)) continue;
        } else {
          generatesKeys = entry.primaryKey === undefined || entry.secondaryKey === undefined;
        }
        plan.add("subscriptions", {
          where,
          changes: [`${existing ? "updated" : "created"} subscription ${name}`],
          run: async (tx) => {
            await tx.subscriptions.put(name, input);
            if (generatesKeys) {
              plan.generatedSubscriptionKeys.push({
                subscription: name,
                ...(await tx.subscriptions.listSecrets(name)),
              });
            }
          },
        });
      }
    },
    export: (current) => ({
      subscriptions: current.subscriptions.map((s) => ({
        name: s.name,
        displayName: s.displayName,
        scope: formatSubscriptionScope(s.scope),
        state: s.state,
        allowTracing: s.allowTracing,
        ...optionalMember("startDate", s.startDate),
        ...optionalMember("expirationDate", s.expirationDate),
      })),
    }),
  },
);
