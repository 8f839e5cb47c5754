/**
 * The policy test case file (`gatehouse policy test FILE.yaml`): the API, operations, products and named values the
 * policies belong to (API Management's property names, as in gatehouse.yaml's `gateway:` section), the documents at
 * each scope, the issuers the runner plays offline, and the cases: a request, what the fake backend answers, and what
 * is expected.
 */
import { gatewayResponse } from "../../gateway/model/operations/yaml.js";
import { z } from "zod";

/** YAML reads `2`, `true` as numbers and booleans; headers, named values and expected texts are strings. */
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** How an expected text is compared: exactly, by a regular expression, or "must be absent" (null). */
export type TextMatcher = { kind: "equals"; text: string } | { kind: "matches"; regex: RegExp } | { kind: "absent" };

/** Text written `/…/flags` is a regular expression. */
const REGEX_LITERAL = /^\/(.*)\/([dgimsuy]*)$/s;

function regexMatcher(source: string, flags: string, context: z.RefinementCtx): TextMatcher {
  try {
    return { kind: "matches", regex: new RegExp(source, flags) };
  } catch (error) {
    context.addIssue({ code: "custom", message: `not a valid regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
}

/** `"text"`, `/regex/flags`, `null` (absent), `{ equals: "/literal/" }` or `{ matches: "regex" }`. */
const matcher = z
  .union([z.null(), text, z.strictObject({ equals: text }), z.strictObject({ matches: z.string() })])
  .transform((value, context): TextMatcher => {
    if (value === null) return { kind: "absent" };
    if (typeof value === "object") {
      return "equals" in value ? { kind: "equals", text: value.equals } : regexMatcher(value.matches, "", context);
    }
    const literal = REGEX_LITERAL.exec(value);
    return literal
      ? regexMatcher(literal[1] as string, literal[2] as string, context)
      : { kind: "equals", text: value };
  });

const matchers = z.record(z.string().min(1), matcher);

const headerValues = z.record(z.string().min(1), z.union([text, z.array(text)]));

/** A policy document: a file relative to the case file, inline XML (text starting with `<`), `{ file }` or `{ xml }`. */
export const policySource = z.union([
  z.string().min(1),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ xml: z.string().min(1) }),
]);
export type PolicySource = z.infer<typeof policySource>;

const httpUrl = z.url({ protocol: /^https?$/ });

const api = z.strictObject({
  name: z.string().min(1).default("api"),
  displayName: z.string().min(1).optional(),
  /** The URL suffix below the gateway root; requests' paths include it. */
  path: z.string().default(""),
  /** null: no backend unless set-backend-service sets one. */
  serviceUrl: httpUrl.nullable().default("https://backend.example"),
  /** Unlike APIM's default, false: most case files test policies, not keys. */
  subscriptionRequired: z.boolean().default(false),
  subscriptionKeyParameterNames: z
    .strictObject({ header: z.string().min(1).optional(), query: z.string().min(1).optional() })
    .optional(),
});

const operation = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1).optional(),
  /** `*` matches any method. */
  method: z.string().min(1).default("*"),
  urlTemplate: z.string().min(1).default("/*"),
  description: z.string().optional(),
  responses: z.array(gatewayResponse).optional(),
  /** The operation-scope document (with `operations:`; a single `operation:` may use `policies.operation`). */
  policy: policySource.optional(),
});
export type OperationEntry = z.infer<typeof operation>;

const product = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().min(1).optional(),
  description: z.string().optional(),
  state: z.enum(["published", "notPublished"]).default("published"),
  subscriptionRequired: z.boolean().default(true),
  approvalRequired: z.boolean().default(false),
});

const subscriptionFields = {
  displayName: z.string().min(1).optional(),
  /** `/apis`, `/apis/{api}` or `/products/{product}` … */
  scope: z.string().min(1).optional(),
  /** … or the product's name, for `/products/{product}`. */
  product: z.string().min(1).optional(),
  state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]).default("active"),
  allowTracing: z.boolean().default(false),
  /** The request sends the primary key unless it already carries a key. */
  primaryKey: z.string().min(1).optional(),
  secondaryKey: z.string().min(1).optional(),
  startDate: z.string().optional(),
  expirationDate: z.string().optional(),
};
const oneScope = (s: { scope?: string | undefined; product?: string | undefined }) =>
  s.scope === undefined || s.product === undefined;

const subscription = z.strictObject({ name: z.string().min(1), ...subscriptionFields }).refine(oneScope, {
  message: "give at most one of scope and product",
});
/** In a case: a name from `subscriptions`, or the whole entry (its name defaults to `subscription`). */
const caseSubscription = z.union([
  z.string().min(1),
  z
    .strictObject({ name: z.string().min(1).default("subscription"), ...subscriptionFields })
    .refine(oneScope, { message: "give at most one of scope and product" }),
]);
export type SubscriptionEntry = z.infer<typeof subscription>;

const backend = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  protocol: z.enum(["http", "soap"]).default("http"),
  title: z.string().optional(),
  description: z.string().optional(),
  credentials: z
    .strictObject({
      header: z.record(z.string().min(1), z.array(z.string())).optional(),
      query: z.record(z.string().min(1), z.array(z.string())).optional(),
      authorization: z.strictObject({ scheme: z.string().min(1), parameter: z.string() }).optional(),
      certificateIds: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  tls: z
    .strictObject({
      validateCertificateChain: z.boolean().default(true),
      validateCertificateName: z.boolean().default(true),
    })
    .default({ validateCertificateChain: true, validateCertificateName: true }),
});

/**
 * An issuer the runner plays: its openid-config and JWKS are served from memory, and tokens built from `claims` are
 * signed with the runner's key. `tenant` plays Entra ID's v2.0 and v1.0 documents for that tenant, as
 * validate-azure-ad-token reads them.
 */
const issuer = z.union([
  z.strictObject({
    openidConfig: httpUrl,
    /** Default: the openid-config URL without `/.well-known/openid-configuration`. */
    issuer: z.string().min(1).optional(),
  }),
  z.strictObject({ tenant: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "must be a tenant id or domain name") }),
]);
export type IssuerEntry = z.infer<typeof issuer>;

const tokenPlacement = {
  /** Default `Authorization`. */
  header: z.string().min(1).optional(),
  /** Written before the token in the header: `Bearer` in Authorization, none in other headers, by default. */
  scheme: z.string().optional(),
  /** A query parameter instead of a header. */
  query: z.string().min(1).optional(),
};
const onePlacement = (t: { header?: string | undefined; query?: string | undefined }) =>
  t.header === undefined || t.query === undefined;

/** A real token as text, or one the runner signs from `claims` (iss, iat, nbf and exp filled in unless given). */
const token = z.union([
  z
    .string()
    .min(1)
    .transform((value): { value: string; header?: string; scheme?: string; query?: string } => ({ value })),
  z
    .strictObject({
      claims: z.record(z.string(), z.unknown()).default({}),
      /** Seconds from now to `exp`; negative for an expired token. */
      expiresIn: z.number().int().default(3600),
      /** Base64 HMAC key (as in `<issuer-signing-keys><key>`): HS256 instead of the runner's RSA key. */
      signingKey: z.string().min(1).optional(),
      ...tokenPlacement,
    })
    .refine(onePlacement, { message: "give at most one of header and query" }),
  z
    .strictObject({ value: z.string().min(1), ...tokenPlacement })
    .refine(onePlacement, { message: "give at most one of header and query" }),
]);
export type TokenEntry = z.infer<typeof token>;

const request = z
  .strictObject({
    method: z.string().min(1).default("GET"),
    /** As the client calls the gateway: the API's path suffix, the operation's path and the query. */
    path: z.string().startsWith("/").optional(),
    headers: headerValues.default({}),
    body: z.string().optional(),
    /** A JSON body (Content-Type application/json unless given). */
    json: z.unknown().optional(),
    subscription: caseSubscription.optional(),
    token: token.optional(),
    ipAddress: z.string().min(1).default("127.0.0.1"),
  })
  .refine((r) => r.body === undefined || r.json === undefined, { message: "give at most one of body and json" });
export type CaseRequest = z.infer<typeof request>;

const answerFields = {
  status: z.number().int().min(100).max(599).default(200),
  headers: headerValues.default({}),
  body: z.string().optional(),
  json: z.unknown().optional(),
};
const oneBody = (b: { body?: string | undefined; json?: unknown }) => b.body === undefined || b.json === undefined;

const backendAnswer = z.strictObject(answerFields).refine(oneBody, { message: "give at most one of body and json" });
export type BackendAnswer = z.infer<typeof backendAnswer>;

/** What send-request gets from a URL: the first answer whose `url` (and `method`) matches, else a connection failure. */
const sendRequestAnswer = z
  .strictObject({ url: matcher.optional(), method: z.string().min(1).optional(), ...answerFields })
  .refine(oneBody, { message: "give at most one of body and json" });
export type SendRequestAnswer = z.infer<typeof sendRequestAnswer>;

/** A token the gateway's managed identity gets offline, for authentication-managed-identity. */
const managedIdentityToken = z.strictObject({
  resource: z.string().min(1),
  /** A user-assigned identity; absent: the system-assigned one. */
  clientId: z.string().min(1).optional(),
  token: z.string().min(1),
});

const expectation = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  headers: matchers.optional(),
  body: matcher.optional(),
  /** The body parsed as JSON contains this: objects may have more properties, arrays match element by element. */
  json: z.unknown().optional(),
  /** Compared as text (C#'s ToString of the value); null: not set. */
  variables: matchers.optional(),
  backendCalled: z.boolean().optional(),
  /** The URL forward-request would call (the last one, when it ran more than once). */
  backendUrl: matcher.optional(),
  backendRequest: z
    .strictObject({
      method: matcher.optional(),
      headers: matchers.optional(),
      body: matcher.optional(),
      json: z.unknown().optional(),
      /** The thumbprint of the TLS client certificate presented (authentication-certificate, backend credentials). */
      clientCertificate: matcher.optional(),
    })
    .optional(),
  /** context.LastError; null: no error. */
  lastError: z
    .strictObject({
      source: matcher.optional(),
      reason: matcher.optional(),
      message: matcher.optional(),
      scope: matcher.optional(),
      section: matcher.optional(),
      path: matcher.optional(),
      policyId: matcher.optional(),
    })
    .nullable()
    .optional(),
});
export type Expectation = z.infer<typeof expectation>;

const testCase = z
  .strictObject({
    name: z.string().min(1),
    request: request.default({ method: "GET", headers: {}, ipAddress: "127.0.0.1" }),
    /** What the fake backend answers forward-request (200 with no body by default). */
    backend: backendAnswer.default({ status: 200, headers: {} }),
    /** Answers to send-request and send-one-way-request (nothing leaves the runner). */
    sendRequests: z.array(sendRequestAnswer).default([]),
    /** Tokens of the gateway's managed identities; any other (resource, client id) fails as an unknown resource. */
    managedIdentityTokens: z.array(managedIdentityToken).default([]),
    /** Sends the request this many times (counters see every one): `expect` is checked on the last. */
    repeat: z.number().int().min(1).max(10_000).default(1),
    expect: expectation.optional(),
    /** Checked on every repetition. */
    expectEach: expectation.optional(),
  })
  .refine((c) => c.expect !== undefined || c.expectEach !== undefined, { message: "give expect or expectEach" });
export type TestCase = z.infer<typeof testCase>;

export const caseFileSchema = z
  .strictObject({
    api: api.default({ name: "api", path: "", serviceUrl: "https://backend.example", subscriptionRequired: false }),
    /** One operation … */
    operation: operation.optional(),
    /** … or several, each with its own `policy`. Default: one operation matching any method and path. */
    operations: z.array(operation).min(1).optional(),
    products: z.array(product).default([]),
    subscriptions: z.array(subscription).default([]),
    /** `{{name}}` in documents: name → value. */
    namedValues: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, -, . and _"), text).default({}),
    /** Certificate entities: a PFX or PEM file relative to the case file, with its password. */
    certificates: z
      .array(z.strictObject({ name: z.string().min(1), file: z.string().min(1), password: z.string().optional() }))
      .default([]),
    backends: z.array(backend).default([]),
    policies: z
      .strictObject({
        global: policySource.optional(),
        /** Applies to every product in `products`. */
        product: policySource.optional(),
        api: policySource.optional(),
        operation: policySource.optional(),
      })
      .default({}),
    issuers: z.array(issuer).default([]),
    cases: z.array(testCase).min(1),
  })
  .refine((f) => f.operation === undefined || f.operations === undefined, {
    message: "give operation or operations, not both",
  })
  .refine((f) => f.operations === undefined || f.policies.operation === undefined, {
    message: "with operations, give each operation's policy on the operation",
    path: ["policies", "operation"],
  });

export type CaseFile = z.infer<typeof caseFileSchema>;
