import { checkName, flag, invalid } from "../checks.js";
import type { NamedValue, NamedValueInput } from "./types.js";

const NAMED_VALUE_DISPLAY_NAME = /^[A-Za-z0-9._-]{1,256}$/;

export function namedValueFrom(name: string, input: NamedValueInput): NamedValue & { value: string } {
  checkName("NamedValue", name);
  const displayName = input.displayName ?? name;
  if (!NAMED_VALUE_DISPLAY_NAME.test(displayName)) {
    throw invalid("displayName", "must be 1 to 256 letters, digits, '-', '.' or '_'.");
  }
  if (typeof input.value !== "string" || input.value.length === 0 || input.value.length > 4096) {
    throw invalid("value", "must be 1 to 4096 characters long.");
  }
  const tags = [...new Set(input.tags ?? [])];
  if (tags.length > 32 || tags.some((t) => typeof t !== "string" || t.trim() === "" || t.length > 256)) {
    throw invalid("tags", "must be at most 32 non-empty tags of at most 256 characters.");
  }
  return { name, displayName, secret: flag("secret", input.secret, false), tags, value: input.value };
}
