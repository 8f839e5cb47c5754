/**
 * How a developer API operation is described: as any admin API operation (admin/operations.ts), authenticated by the
 * developer's session instead of the admin token. `secured` wraps a handler so it runs only for a live session of an
 * active user, addresses only the caller's own `{userId}` (another user's id answers 404, as if there were no such
 * user: the API tells nobody which ids exist), and hands back a renewed token in `Ocp-Apim-Sas-Token`.
 * Other modules add their operations under the caller's user this way (client applications).
 */
import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import {
  operation,
  type Operation,
  type OperationResult,
  type ParameterSpec,
  type RequestContext,
  type ResponseSpec,
} from "../../admin/operations.js";
import { parseDeveloperAuthorization, SAS_TOKEN_HEADER, sasTokenHeaderValue } from "../auth-headers.js";
import type { AuthenticatedSession, DeveloperSessions } from "../session.js";
import { dataApiErrors } from "./errors.js";

export const DEVELOPER_TAG = "developer";

/** The signed-in developer a request comes from. */
export interface Caller {
  readonly userId: string;
}

export interface DeveloperContext<B> extends RequestContext {
  readonly caller: Caller;
  readonly body: B;
}

export interface SecuredSpec<S extends z.ZodType | undefined> {
  method: Operation["method"];
  /** Below `/developer`, e.g. `/users/{userId}/subscriptions`. */
  path: string;
  summary: string;
  parameters?: readonly ParameterSpec[];
  body?: S;
  response: ResponseSpec;
  handle(context: DeveloperContext<S extends z.ZodType ? z.output<S> : undefined>): Promise<OperationResult>;
}

/** The session an `Authorization: SharedAccessSignature …` header carries; throws the 401/403 errors. */
export async function sessionOf(sessions: DeveloperSessions, request: FastifyRequest): Promise<AuthenticatedSession> {
  const header = request.headers.authorization;
  if (header === undefined) {
    throw dataApiErrors.unauthorized("Sign in first: send Authorization: SharedAccessSignature <token>.");
  }
  const credentials = parseDeveloperAuthorization(header);
  if (credentials.scheme !== "SharedAccessSignature") {
    throw dataApiErrors.unauthorized("This operation needs Authorization: SharedAccessSignature <token>.");
  }
  return sessions.authenticate(credentials.token);
}

/** The response, with the renewed token when the session handed one out. */
export const withRenewal = (result: OperationResult, session: AuthenticatedSession): OperationResult =>
  session.renewed
    ? {
        ...result,
        headers: {
          ...result.headers,
          [SAS_TOKEN_HEADER]: sasTokenHeaderValue(session.renewed),
          "cache-control": "no-store",
        },
      }
    : result;

/** Makes operations that run for the signed-in developer only. */
export function securedBy(sessions: DeveloperSessions) {
  return <S extends z.ZodType | undefined = undefined>(spec: SecuredSpec<S>): Operation => {
    const { handle, ...rest } = spec;
    return operation<S>({
      ...rest,
      tag: DEVELOPER_TAG,
      handle: async (context) => {
        const session = await sessionOf(sessions, context.request);
        if (spec.path.includes("{userId}") && context.param("userId") !== session.userId) {
          throw dataApiErrors.notFound("User");
        }
        const caller = { userId: session.userId };
        const result = await handle({ ...context, caller } as DeveloperContext<
          S extends z.ZodType ? z.output<S> : undefined
        >);
        return withRenewal(result, session);
      },
    });
  };
}

export type Secured = ReturnType<typeof securedBy>;
