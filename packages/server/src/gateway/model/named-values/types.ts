/** A named value, with API Management's names (reference apim.md §6.2). */

export interface NamedValue {
  name: string;
  /** What `{{displayName}}` in a policy refers to (letters, digits, `-`, `.`, `_`). */
  displayName: string;
  secret: boolean;
  tags: string[];
}

export interface NamedValueInput {
  /** Default: the name. */
  displayName?: string;
  value: string;
  /** Default false. Secret values are sealed and never returned by get/list. */
  secret?: boolean;
  tags?: string[];
}
