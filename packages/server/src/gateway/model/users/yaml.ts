import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { optionalMember } from "../../../config/export-members.js";
import { ConfigError } from "../../../config/errors.js";
import { byName, entriesOf, located } from "../../../config/gateway-plan.js";
import type { PasswordHasher } from "../../../security/password-hash.js";
import { PasswordRuleError } from "../../../security/password-length.js";
import { entityYamlOf } from "../definition.js";
import type { User, UserFields, UserInput } from "./types.js";
import { userFrom } from "./validation.js";

const userEntry = z.strictObject({
  name: z.string().min(1),
  email: z.string().min(1),
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  state: z.enum(["active", "blocked", "pending", "deleted"]).optional(),
  note: z.string().optional(),
  /** Literal or `${ENV_VAR}`; hashed, never exported. Absent: the stored password is kept (none for a new user). */
  password: z.string().min(1).optional(),
});

const fieldsOf = ({ groups: _groups, ...fields }: User): UserFields => fields;

/** The hash of a password the file sets; a password the rules refuse names its entry. */
async function hashFor(where: string, hasher: PasswordHasher, password: string): Promise<string> {
  try {
    return await hasher.hash(password);
  } catch (error) {
    if (error instanceof PasswordRuleError) throw new ConfigError(`${where}: password: ${error.message}`);
    throw error;
  }
}

/** Whether the file's password is other than the stored one (or the user has none yet). */
async function passwordDiffers(hasher: PasswordHasher, stored: string | undefined, password: string): Promise<boolean> {
  return stored === undefined || !(await hasher.verify(stored, password));
}

/**
 * `users:`. A password in the file is checked against the stored hash (the KDF's work, once per user with a password
 * at each apply) and set again only when it differs; it is hashed while planning, outside the write transaction.
 */
export const entityYaml = entityYamlOf(
  { users: z.array(userEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.users);
      const hasher = plan.gateway.passwords;
      for (const [where, entry] of entriesOf("users", section.users)) {
        const { name, password, ...fields } = entry;
        const existing = stored.get(name);
        const wanted = located(where, () => userFrom(name, fields, existing?.registrationDate ?? ""));
        const storedHash = existing && (await plan.gateway.users.findById(name))?.passwordHash;
        const passwordChanged = password !== undefined && (await passwordDiffers(hasher, storedHash, password));
        if (existing && !passwordChanged && isDeepStrictEqual(fieldsOf(existing), wanted)) continue;
        const input: UserInput = {
          ...fields,
          ...(password !== undefined && passwordChanged
            ? { passwordHash: await hashFor(where, hasher, password) }
            : {}),
        };
        plan.add("users", {
          where,
          changes: [`${existing ? "updated" : "created"} user ${name}${passwordChanged ? " (password set)" : ""}`],
          run: async (tx) => void (await tx.users.put(name, input)),
        });
      }
    },
    export: (current) => ({
      users: current.users.map((u) => ({
        name: u.name,
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        state: u.state,
        ...optionalMember("note", u.note),
      })),
    }),
  },
);
