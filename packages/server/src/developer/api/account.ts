/**
 * The developer's account: sign-in (`GET /identity` with Basic, as the developer portal does), sign-out, the
 * "forgot password" request, the profile, and setting a password — with the current one, or with the ticket of an
 * invitation or reset link (`Authorization: Ticket id="…",ticket="…"`). Setting a password ends the user's other
 * sessions; the response carries a new token.
 */
import { z } from "zod";
import { noContent, ok, operation, type Operation, type RequestContext } from "../../admin/operations.js";
import type { GatewayRegistry } from "../../gateway/model/registry.js";
import { InvalidTicketError, type PresentedTicket } from "../../security/one-time-ticket.js";
import { parseDeveloperAuthorization, SAS_TOKEN_HEADER, sasTokenHeaderValue } from "../auth-headers.js";
import { SignInThrottledError } from "../errors.js";
import type { DeveloperServices } from "../services.js";
import { identityContract, userContract, userView } from "./contracts.js";
import { dataApiErrors } from "./errors.js";
import { DEVELOPER_TAG, sessionOf, withRenewal, type Secured } from "./operation.js";

const resetRequest = z.object({ to: z.string().min(1).max(254) });
const userPatch = z.object({
  firstName: z.string().min(1).max(100).optional(),
  lastName: z.string().min(1).max(100).optional(),
  /** Read-only here: only the administrator changes a user's email. */
  email: z.string().optional(),
  password: z.string().max(1024).optional(),
  /** Required with `password` when signed in: a session alone does not change the password. */
  currentPassword: z.string().max(1024).optional(),
});
type UserPatch = z.output<typeof userPatch>;

export function accountOperations(
  services: DeveloperServices,
  gateway: GatewayRegistry,
  secured: Secured,
): Operation[] {
  const { sessions, passwordSetup, throttle } = services;

  const profile = async (userId: string) => {
    const [user, groups] = await Promise.all([gateway.users.get(userId), gateway.groups.list()]);
    if (!user) throw dataApiErrors.notFound("User");
    return userView(user, new Map(groups.map((group) => [group.name, group])));
  };

  /** A fresh sign-in after the password changed, for the response's Ocp-Apim-Sas-Token. */
  const signedIn = async (context: RequestContext, userId: string, password: string) => {
    const account = await gateway.users.findById(userId);
    if (!account) throw dataApiErrors.notFound("User");
    const token = await sessions.signIn(account.email, password, context.request.ip);
    return ok(await profile(userId), { [SAS_TOKEN_HEADER]: sasTokenHeaderValue(token), "cache-control": "no-store" });
  };

  /** An invitation or a reset: whichever the ticket was issued for. */
  const redeem = async (presented: PresentedTicket, password: string) => {
    try {
      await passwordSetup.acceptInvitation(presented, password);
    } catch (error) {
      if (!(error instanceof InvalidTicketError)) throw error;
      await passwordSetup.resetPassword(presented, password);
    }
  };

  const patchWithSession = async (context: RequestContext, body: UserPatch) => {
    const session = await sessionOf(sessions, context.request);
    const userId = context.param("userId");
    if (userId !== session.userId) throw dataApiErrors.notFound("User");
    const current = await gateway.users.get(userId);
    if (!current) throw dataApiErrors.notFound("User");
    if (body.email !== undefined && body.email.toLowerCase() !== current.email.toLowerCase()) {
      throw dataApiErrors.validation("The email is changed by the administrator only.", "email");
    }
    const { firstName, lastName } = body;
    if (firstName !== undefined || lastName !== undefined) {
      await gateway.users.patch(userId, { ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) });
    }
    if (body.password === undefined) return withRenewal(ok(await profile(userId)), session);
    if (body.currentPassword === undefined) {
      throw dataApiErrors.validation("Give the current password to set a new one.", "currentPassword");
    }
    await sessions.confirmPassword(userId, body.currentPassword, context.request.ip);
    await passwordSetup.setPassword(userId, body.password);
    return signedIn(context, userId, body.password);
  };

  return [
    operation({
      method: "GET",
      path: "/identity",
      summary: "Sign in (Authorization: Basic email:password) or read the signed-in user's id",
      tag: DEVELOPER_TAG,
      response: { status: 200, description: "The user's id; a token in Ocp-Apim-Sas-Token", schema: identityContract },
      handle: async (context) => {
        const header = context.request.headers.authorization;
        const credentials = header === undefined ? undefined : parseDeveloperAuthorization(header);
        if (credentials?.scheme === "Basic") {
          const token = await sessions.signIn(credentials.email, credentials.password, context.request.ip);
          return ok(
            { id: token.userId, provider: "Basic" },
            { [SAS_TOKEN_HEADER]: sasTokenHeaderValue(token), "cache-control": "no-store" },
          );
        }
        const session = await sessionOf(sessions, context.request);
        return withRenewal(ok({ id: session.userId, provider: "Basic" }), session);
      },
    }),
    operation({
      method: "DELETE",
      path: "/identity",
      summary: "Sign out: the token and its renewals stop working",
      tag: DEVELOPER_TAG,
      response: { status: 204, description: "Signed out" },
      handle: async (context) => {
        const header = context.request.headers.authorization;
        const credentials = header === undefined ? undefined : parseDeveloperAuthorization(header);
        if (credentials?.scheme !== "SharedAccessSignature") {
          throw dataApiErrors.unauthorized("Sign out with Authorization: SharedAccessSignature <token>.");
        }
        await sessions.signOut(credentials.token);
        return noContent();
      },
    }),
    operation({
      method: "POST",
      path: "/confirmations/password",
      summary: "Ask for a password-reset link (sent to the notifier; the answer is the same for any email)",
      tag: DEVELOPER_TAG,
      body: resetRequest,
      response: { status: 204, description: "Accepted" },
      handle: async (context) => {
        // Each request counts as a failed sign-in of the address and email: nobody floods the notifier, or keeps
        // replacing someone's reset link, faster than they could guess passwords.
        const source = { address: context.request.ip, clientId: context.body.to };
        const retryAfter = throttle.retryAfter(source);
        if (retryAfter !== undefined) throw new SignInThrottledError(retryAfter);
        await throttle.failed(source);
        await passwordSetup.requestReset(context.body.to);
        return noContent();
      },
    }),
    secured({
      method: "GET",
      path: "/users/{userId}",
      summary: "The signed-in user's profile",
      response: { status: 200, description: "The user", schema: userContract },
      handle: async (context) => ok(await profile(context.caller.userId)),
    }),
    operation({
      method: "PATCH",
      path: "/users/{userId}",
      summary:
        "Change the profile (first and last name) or the password (with currentPassword), signed in; or set the " +
        "password with an invitation or reset ticket (Authorization: Ticket)",
      tag: DEVELOPER_TAG,
      body: userPatch,
      response: { status: 200, description: "The user; after a new password, a new token", schema: userContract },
      handle: async (context) => {
        const header = context.request.headers.authorization;
        const credentials = header === undefined ? undefined : parseDeveloperAuthorization(header);
        if (credentials?.scheme !== "Ticket") return patchWithSession(context, context.body);
        const { password, ...others } = context.body;
        if (password === undefined || Object.keys(others).length > 0) {
          throw dataApiErrors.validation("A ticket sets the password, and only the password.", "password");
        }
        const userId = context.param("userId");
        await redeem({ id: credentials.id, secret: credentials.secret, userId }, password);
        return signedIn(context, userId, password);
      },
    }),
  ];
}
