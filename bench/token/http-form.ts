import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface FormResponse {
  status: number;
  body: string;
}

/**
 * One POST of an application/x-www-form-urlencoded body. node:http(s) rather than fetch because fetch cannot be given
 * a custom CA without importing undici, and a self-hosted Gatehouse will often serve a private-CA certificate.
 */
export function postForm(
  url: string,
  form: Record<string, string>,
  ca?: string,
  timeoutMs = 10_000,
): Promise<FormResponse> {
  const body = new URLSearchParams(form).toString();
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export interface TokenCheck {
  /** JWS "alg" of the access token header, e.g. RS256. */
  alg: string;
  /** Length of the compact JWT in characters. */
  tokenLength: number;
}

/** Throws unless the response is a 200 carrying a compact-JWS access token; the load would be meaningless otherwise. */
export function assertJwtTokenResponse(label: string, res: FormResponse): TokenCheck {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why} (HTTP ${res.status}): ${res.body.slice(0, 300)}`);
  };
  if (res.status !== 200) fail("token request did not return 200");
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return fail("token response is not JSON");
  }
  const token = (parsed as { access_token?: unknown }).access_token;
  if (typeof token !== "string") return fail("token response has no access_token");
  const parts = token.split(".");
  if (parts.length !== 3) return fail(`access_token is not a JWT (${parts.length} parts)`);
  let header: { alg?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString("utf8")) as { alg?: unknown };
  } catch {
    return fail("access_token header is not valid base64url JSON");
  }
  return { alg: typeof header.alg === "string" ? header.alg : "?", tokenLength: token.length };
}
