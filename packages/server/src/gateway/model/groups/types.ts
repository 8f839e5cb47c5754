/** A group, with API Management's names (reference apim.md §4.11, §6.2). */

/** `system`: the built-in groups; `custom`: made here; `external`: stands for a group of an external directory. */
export type GroupType = "system" | "custom" | "external";

/** API Management's system groups, which every instance has and nobody changes. */
export const BUILT_IN_GROUPS = ["administrators", "developers", "guests"] as const;
export type BuiltInGroup = (typeof BUILT_IN_GROUPS)[number];
export const isBuiltInGroup = (name: string): name is BuiltInGroup =>
  (BUILT_IN_GROUPS as readonly string[]).includes(name);

export interface Group {
  name: string;
  displayName: string;
  description: string | null;
  type: GroupType;
  /** An external group's id in its directory (`aad://<tenant>/groups/<object id>`); null for the others. */
  externalId: string | null;
}

export interface GroupInput {
  displayName: string;
  description?: string | null;
  /** Default "custom"; "system" is only the built-in groups'. */
  type?: GroupType;
  externalId?: string | null;
}
