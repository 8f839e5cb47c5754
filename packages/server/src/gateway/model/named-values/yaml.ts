import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { ConfigError } from "../../../config/errors.js";
import { byName, entriesOf, located, sameSecret } from "../../../config/gateway-plan.js";
import { entityYamlOf } from "../definition.js";
import { namedValueFrom } from "./validation.js";

const namedValueEntry = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1).optional(),
  /** Absent: keep the stored value (required to create). */
  value: z.string().optional(),
  secret: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  /** API Management's Key Vault reference: refused with a clear message, Gatehouse reaches no Key Vault. */
  keyVault: z.unknown().optional(),
});

/** `namedValues:`; a secret value is exported without `value`, which applying reads as "keep the stored one". */
export const entityYaml = entityYamlOf(
  { namedValues: z.array(namedValueEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.namedValues);
      for (const [where, entry] of entriesOf("namedValues", section.namedValues)) {
        if (entry.keyVault !== undefined) {
          throw new ConfigError(
            `${where}: keyVault is not supported (Gatehouse has no Key Vault): give the secret as value, e.g. value: \${ENV_NAME}, with secret: true`,
          );
        }
        const existing = stored.get(entry.name);
        const value = entry.value ?? existing?.value;
        if (value === undefined) throw new ConfigError(`${where}: value is required to create the named value`);
        const { keyVault: _keyVault, ...fields } = entry;
        const input = { ...fields, value };
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
        plan.add("namedValues", {
          where,
          changes: [`${existing ? "updated" : "created"} named value ${entry.name}`],
          run: async (tx) => void (await tx.namedValues.put(entry.name, input)),
        });
      }
    },
    export: (current) => ({
      namedValues: current.namedValues.map((nv) => ({
        name: nv.name,
        displayName: nv.displayName,
        ...(nv.secret ? {} : { value: nv.value }),
        secret: nv.secret,
        tags: nv.tags,
      })),
    }),
  },
);
