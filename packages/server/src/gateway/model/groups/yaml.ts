import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { byName, entriesOf, located } from "../../../config/gateway-plan.js";
import { entityYamlOf } from "../definition.js";
import { isBuiltInGroup } from "./types.js";
import { groupFrom } from "./validation.js";

const groupEntry = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1),
  description: z.string().optional(),
  type: z.enum(["custom", "external"]).optional(),
  externalId: z.string().optional(),
  /** Members (users' names); members not listed are kept. */
  users: z.array(z.string().min(1)).optional(),
});

/** `groups:` with their members; the built-in groups are not configured (their members are the system's). */
export const entityYaml = entityYamlOf(
  { groups: z.array(groupEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.groups);
      for (const [where, entry] of entriesOf("groups", section.groups)) {
        const { name, users = [], ...input } = entry;
        const wanted = located(where, () => groupFrom(name, input));
        const existing = stored.get(name);
        if (!existing || !isDeepStrictEqual(existing, wanted)) {
          plan.add("groups", {
            where,
            changes: [`${existing ? "updated" : "created"} group ${name}`],
            run: async (tx) => void (await tx.groups.put(name, input)),
          });
        }
        const members = new Set(plan.current.users.filter((u) => u.groups.includes(name)).map((u) => u.name));
        for (const user of users.filter((u) => !members.has(u))) {
          plan.add("groups", {
            where,
            changes: [`added user ${user} to group ${name}`],
            run: async (tx) => void (await tx.groups.addUser(name, user)),
          });
        }
      }
    },
    export: (current) => ({
      groups: current.groups
        .filter((g) => !isBuiltInGroup(g.name))
        .map((g) => ({
          name: g.name,
          displayName: g.displayName,
          ...optionalMember("description", g.description),
          type: g.type === "external" ? ("external" as const) : ("custom" as const),
          ...optionalMember("externalId", g.externalId),
          users: current.users.filter((u) => u.groups.includes(g.name)).map((u) => u.name),
        })),
    }),
  },
);
