import { GatewayValidationError } from "../errors.js";

/**
 * A user named as API Management's `ownerId` names one: `/users/{userId}`, or a full resource id ending so. `target`
 * is the property, for the error. Whether the user exists is the writer's check (`tx.users.require`).
 */
export function parseOwnerId(target: string, text: string): string {
  const name = /\/users\/([^/]+)\/?$/i.exec(text.trim())?.[1];
  if (name === undefined) {
    const message = `${target} '${text}' must be /users/{userId}.`;
    throw new GatewayValidationError(message, [{ target, message }]);
  }
  return name;
}

export const formatOwnerId = (user: string): string => `/users/${user}`;
