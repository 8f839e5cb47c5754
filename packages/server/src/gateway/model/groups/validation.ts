import { checkName, invalid, oneOf, optionalText, text } from "../checks.js";
import type { Group, GroupInput } from "./types.js";

export function groupFrom(name: string, input: GroupInput): Group {
  checkName("Group", name);
  const type = oneOf("type", input.type ?? "custom", ["custom", "external", "system"]);
  if (type === "system") throw invalid("type", "'system' is reserved for the built-in groups.");
  const description = optionalText(input.description);
  if (description !== null && description.length > 1000) {
    throw invalid("description", "must be at most 1000 characters long.");
  }
  const externalId = optionalText(input.externalId);
  if (type === "external" && externalId === null) throw invalid("externalId", "is required for an external group.");
  if (type === "custom" && externalId !== null) throw invalid("externalId", "is only for external groups.");
  if (externalId !== null && externalId.length > 1000) {
    throw invalid("externalId", "must be at most 1000 characters long.");
  }
  return { name, displayName: text("displayName", input.displayName, 300), description, type, externalId };
}

export const groupInputOf = ({ name: _name, ...input }: Group): GroupInput => input;
