import { randomUUID } from "node:crypto";
import type { Credential } from "./credentials.js";
import { NO_ENTRA_FIELDS, TokenRequestError, entraErrorFields, type EndpointErrorDetails } from "./errors.js";
import { parseJson, unreachableReason, type Exchange, type RetryingSender } from "./sender.js";
import type { TokenEntry } from "./token-store.js";

/** What the token is for: `scope` on the v2 endpoint, `resource` on the v1 endpoint. */
export interface TokenTarget {
  parameter: "scope" | "resource";
  value: string;
}

export interface TokenRequest {
  clientId: string;
  target: TokenTarget;
  credential: Credential;
}

const redact = (text: string, secrets: ReadonlySet<string>) => {
  let result = text;
  for (const secret of secrets) result = result.replaceAll(secret, "[redacted]");
  return result;
};

/** Seconds as Entra sends them: a number on the v2 endpoint, a numeric string on v1. */
function seconds(value: unknown): number | undefined {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) && number > 0 ? number : undefined;
}

/**
 * Posts one client credentials request (retried by the sender) and turns the answer into a cache entry. Every try
 * carries the same `client-request-id`, which Entra echoes as `correlation_id`.
 */
export async function requestToken(
  sender: RetryingSender,
  tokenEndpoint: string,
  request: TokenRequest,
): Promise<TokenEntry> {
  const correlationId = randomUUID();
  const secrets = new Set<string>();
  const exchange = await sender.send(tokenEndpoint, async () => {
    const credential = await request.credential({ clientId: request.clientId, tokenEndpoint });
    for (const secret of credential.secrets) if (secret !== "") secrets.add(secret);
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: request.clientId,
      [request.target.parameter]: request.target.value,
      ...credential.form,
    });
    return {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded;charset=utf-8",
        accept: "application/json",
        "client-request-id": correlationId,
        ...credential.headers,
      },
      body: form.toString(),
    };
  });
  const fail = (message: string, details: Partial<EndpointErrorDetails>, cause?: unknown) =>
    new TokenRequestError(
      redact(message, secrets),
      {
        ...NO_ENTRA_FIELDS,
        status: undefined,
        retryAfterMs: undefined,
        correlationId,
        ...details,
        url: tokenEndpoint,
      },
      { cause },
    );

  if (exchange.kind === "unreachable") {
    throw fail(`cannot reach ${tokenEndpoint}: ${unreachableReason(exchange.cause)}`, {}, exchange.cause);
  }
  const body = parseJson(exchange.text);
  const { status, retryAfterMs } = exchange;
  if (status < 200 || status > 299) {
    const fields = entraErrorFields(body);
    const description = fields.errorDescription && redact(fields.errorDescription, secrets);
    const message = description ?? `token endpoint answered ${status}${fields.error ? ` ${fields.error}` : ""}`;
    throw fail(message, {
      ...fields,
      errorDescription: description,
      correlationId: fields.correlationId ?? correlationId,
      status,
      retryAfterMs,
    });
  }
  return tokenEntry(exchange, body, request.target, (message) => fail(message, { status }));
}

function tokenEntry(
  exchange: Extract<Exchange, { kind: "response" }>,
  body: unknown,
  target: TokenTarget,
  fail: (message: string) => TokenRequestError,
): TokenEntry {
  if (typeof body !== "object" || body === null) throw fail(`token endpoint answered ${exchange.status} without JSON`);
  const response = body as Record<string, unknown>;
  const expiresIn = seconds(response.expires_in);
  if (typeof response.access_token !== "string" || response.access_token === "" || expiresIn === undefined) {
    throw fail(`token endpoint answered ${exchange.status} without access_token and expires_in`);
  }
  // refresh_in, when the server sends one, says when to renew (MSAL honours it); otherwise renew at half-life.
  const refreshIn = seconds(response.refresh_in);
  const renewAfter = refreshIn !== undefined && refreshIn < expiresIn ? refreshIn : expiresIn / 2;
  // Lifetimes count from when the request was sent, so time in transit never stretches them.
  return {
    accessToken: response.access_token,
    tokenType: typeof response.token_type === "string" ? response.token_type : "Bearer",
    scope: target.value,
    expiresOn: exchange.sentAt + expiresIn * 1000,
    refreshOn: exchange.sentAt + renewAfter * 1000,
    response,
  };
}
