/**
 * The users the data plane knows, compiled once per configuration revision: the owner of a subscription (and of a
 * client application) is looked up here to become `context.User`, with no query on the request path.
 */
import type { Group } from "./model/groups/types.js";
import type { User } from "./model/users/types.js";
import type { GroupRef, UserContext } from "./pipeline/context.js";

export class UserDirectory {
  private readonly users: ReadonlyMap<string, UserContext>;

  constructor(users: readonly User[], groups: readonly Group[]) {
    const refs = new Map<string, GroupRef>(groups.map((g) => [g.name, { id: g.name, name: g.displayName }]));
    this.users = new Map(
      users.map((user) => [
        user.name,
        Object.freeze({
          id: user.name,
          email: user.email,
          firstName: user.firstName,
          lastName: user.lastName,
          note: user.note,
          registrationDate: user.registrationDate,
          state: user.state,
          groups: user.groups.flatMap((name) => refs.get(name) ?? []),
          identities: user.identities.map((identity) => ({ ...identity })),
        }),
      ]),
    );
  }

  /** The user as `context.User` shows them; undefined for an unknown name. */
  get(name: string): UserContext | undefined {
    return this.users.get(name);
  }
}

/** A blocked or deleted user calls no APIs: their subscriptions' keys (and applications) stop working, as in APIM. */
export const mayCallApis = (user: UserContext): boolean => user.state !== "blocked" && user.state !== "deleted";
