/**
 * `authentication-basic` (apim.md §2, backend authentication): the request forwarded to the backend carries
 * `Authorization: Basic base64(username:password)`, replacing any the caller sent. Both attributes take named values
 * and expressions, so the password usually lives in a secret named value; traces redact the header by name.
 */
import { ExpressionEvaluationError } from "../../expressions/errors.js";
import type { PolicyDefinition } from "../definition.js";

/** RFC 7617: the user-id of Basic credentials cannot contain a colon. */
const COLON = ":";

const credentials = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;

export const authenticationBasic: PolicyDefinition = {
  name: "authentication-basic",
  sections: ["inbound"],
  compile(element) {
    const username = element.requiredValueAttribute("username");
    const password = element.requiredValueAttribute("password");
    if (username.constant?.includes(COLON)) {
      throw element.error("Policy 'authentication-basic' needs a username without ':' (RFC 7617)", "username");
    }
    const { id } = element;
    const constant =
      username.constant !== undefined && password.constant !== undefined
        ? credentials(username.constant, password.constant)
        : undefined;
    return {
      policy: "authentication-basic",
      id,
      run(context) {
        if (constant !== undefined) {
          context.request.headers.set("Authorization", [constant]);
          return;
        }
        const user = username.text(context);
        if (user.includes(COLON)) {
          throw new ExpressionEvaluationError("The username of authentication-basic cannot contain ':' (RFC 7617)");
        }
        context.request.headers.set("Authorization", [credentials(user, password.text(context))]);
      },
    };
  },
};
