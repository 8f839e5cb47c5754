/**
 * The `context` facade (reference apim.md §3.2) over the PipelineContext. `context` is the PipelineContext itself;
 * its members are small views made when read, over the live pipeline state (headers, query and variables are read
 * through, never copied), so an evaluation allocates only what it touches.
 */
import type { X509Certificate } from "node:crypto";
import type { Api } from "../../model/apis/types.js";
import type { Product } from "../../model/products/types.js";
import type {
  Deployment,
  GatewayRequest,
  GatewayResponse,
  LastError,
  PipelineContext,
  SubscriptionContext,
} from "../../pipeline/context.js";
import { backendUrl } from "../../pipeline/backend-url.js";
import { HeaderMap } from "../../pipeline/headers.js";
import { MAX_BODY_NODES } from "../../transform/body-limits.js";
import { ExpressionEvaluationError } from "../errors.js";
import { JARRAY_DEF, JOBJECT_DEF, JTOKEN_DEF, parseJson, type JToken } from "../json.js";
import { invalidOperation } from "../runtime.js";
import { addMembers, libraryType, method, property } from "../members.js";
import {
  BOOL,
  BYTE_ARRAY,
  INT,
  OBJECT,
  STRING,
  STRING_DEF,
  VOID,
  clrTypeName,
  derivesFrom,
  enumerableOf,
  nullableOf,
  typeOf,
  type PropertySpec,
  type Type,
  type TypeDef,
} from "../types.js";
import { CsValue, Facade, recognize } from "../values.js";
import {
  HeadersDictionary,
  MULTI_VALUE_DICTIONARY,
  MapDictionary,
  MapView,
  QueryDictionary,
  READONLY_DICTIONARY_DEF,
  dictionaryView,
} from "./collections.js";
import { GUID, parseGuid } from "./guid.js";
import type { DateTimeValue } from "./time.js";
import { DATE_TIME, TIME_SPAN, elapsedSince, utcDateTime } from "./time.js";

/** A facade interface, nameable in casts (`(IResponse)x`). */
const facadeType = (name: string): Type => typeOf(libraryType(name));
const target = <T>(self: unknown): T => (self as Facade<T>).target;

export const CONTEXT = facadeType("IContext");
const API = facadeType("IApi");
const KEY_NAMES = facadeType("SubscriptionKeyParameterNames");
const DEPLOYMENT = facadeType("IDeployment");
const GATEWAY = facadeType("IGateway");
const LAST_ERROR = facadeType("ILastError");
const OPERATION = facadeType("IOperation");
const PRODUCT = facadeType("IProduct");
const GROUP = facadeType("IGroup");
const REQUEST = facadeType("IRequest");
const RESPONSE = facadeType("IResponse");
const SUBSCRIPTION = facadeType("ISubscription");
const USER = facadeType("IUser");
const USER_IDENTITY = facadeType("IUserIdentity");
const URL_TYPE = facadeType("IUrl");
const BODY = facadeType("IMessageBody");
const CERTIFICATE = facadeType("X509Certificate2");
// Its own type, so that assigning to context.Variables[…] can be refused with a message of its own.
const VARIABLES = typeOf(dictionaryView(), STRING, OBJECT);
const PRODUCT_STATE_DEF = libraryType("ProductState");

const props = (type: Type, members: Record<string, PropertySpec | ReturnType<typeof method>>) =>
  addMembers(type.def.members, members);

// ---- context ----

const EMPTY_RESPONSE: GatewayResponse = Object.freeze({
  statusCode: 200,
  statusReason: "OK",
  headers: new HeaderMap(),
  body: undefined,
}) as GatewayResponse;

props(CONTEXT, {
  Api: property<PipelineContext>(API, (c) => new Facade(API, c.api)),
  Deployment: property<PipelineContext>(DEPLOYMENT, (c) => new Facade(DEPLOYMENT, c.services.deployment)),
  Elapsed: property<PipelineContext>(TIME_SPAN, (c) => elapsedSince(c.startedAt)),
  Timestamp: property<PipelineContext>(DATE_TIME, (c) =>
    utcDateTime(Date.now() - Number(process.hrtime.bigint() - c.startedAt) / 1e6),
  ),
  RequestId: property<PipelineContext>(GUID, (c) => parseGuid(c.requestId)),
  Tracing: property<PipelineContext>(BOOL, (c) => c.trace !== undefined),
  Trace: method<PipelineContext>({
    params: ["message"],
    returns: VOID,
    invoke: (c, [message]) =>
      c.trace?.message("context.Trace", "information", typeof message === "string" ? message : ""),
  }),
  LastError: property<PipelineContext>(LAST_ERROR, (c) => (c.lastError ? new Facade(LAST_ERROR, c.lastError) : null)),
  Operation: property<PipelineContext>(OPERATION, (c) => new Facade(OPERATION, c.operation)),
  Product: property<PipelineContext>(PRODUCT, (c) => (c.product ? new Facade(PRODUCT, c.product) : null)),
  Request: property<PipelineContext>(REQUEST, (c) => new Facade(REQUEST, c)),
  // Before any response exists (inbound), APIM's is an empty 200 with no headers: so is this one.
  Response: property<PipelineContext>(RESPONSE, (c) => c.response ?? EMPTY_RESPONSE),
  Subscription: property<PipelineContext>(SUBSCRIPTION, (c) =>
    c.subscription ? new Facade(SUBSCRIPTION, c.subscription) : null,
  ),
  // Gatehouse has no developer accounts: there is never a user.
  User: property<PipelineContext>(USER, () => null),
  Variables: property<PipelineContext>(VARIABLES, (c) => new MapView(VARIABLES, c.variables)),
});

// ---- IApi, IOperation, IProduct, ISubscription, IUser, ILastError, IDeployment ----

props(API, {
  Id: property<Facade<Api>>(STRING, (a) => a.target.name),
  Name: property<Facade<Api>>(STRING, (a) => a.target.displayName),
  Path: property<Facade<Api>>(STRING, (a) => a.target.path),
  // Gatehouse keeps one revision of each API.
  Revision: property<Facade<Api>>(STRING, () => "1"),
  IsCurrentRevision: property<Facade<Api>>(BOOL, () => true),
  ServiceUrl: property<Facade<Api>>(URL_TYPE, (a) => (a.target.serviceUrl ? fixedUrl(a.target.serviceUrl) : null)),
  Version: property<Facade<Api>>(STRING, () => null),
  Protocols: property<Facade<Api>>(enumerableOf(STRING), (a) => [...(a.target.protocols ?? [])]),
  SubscriptionKeyParameterNames: property<Facade<Api>>(
    KEY_NAMES,
    (a) => new Facade(KEY_NAMES, a.target.subscriptionKeyParameterNames),
  ),
});
props(KEY_NAMES, {
  Header: property<Facade<{ header: string }>>(STRING, (k) => k.target.header),
  Query: property<Facade<{ query: string }>>(STRING, (k) => k.target.query),
});
props(OPERATION, {
  Id: property<Facade<{ name: string }>>(STRING, (o) => o.target.name),
  Name: property<Facade<{ displayName: string }>>(STRING, (o) => o.target.displayName),
  Method: property<Facade<{ method: string }>>(STRING, (o) => o.target.method),
  UrlTemplate: property<Facade<{ urlTemplate: string }>>(STRING, (o) => o.target.urlTemplate),
});
props(PRODUCT, {
  Id: property<Facade<Product>>(STRING, (p) => p.target.name),
  Name: property<Facade<Product>>(STRING, (p) => p.target.displayName),
  State: property<Facade<Product>>(
    typeOf(PRODUCT_STATE_DEF),
    (p) => new ProductStateValue(p.target.state === "published"),
  ),
  ApprovalRequired: property<Facade<Product>>(BOOL, (p) => p.target.approvalRequired),
  SubscriptionRequired: property<Facade<Product>>(BOOL, (p) => p.target.subscriptionRequired),
  SubscriptionLimit: property<Facade<Product>>(nullableOf(INT), (p) => p.target.subscriptionsLimit),
  // The model knows the linked APIs by name only: each is an IApi with its Id and Name.
  Apis: property<Facade<Product>>(enumerableOf(API), (p) =>
    p.target.apis.map(
      (name) =>
        new Facade(API, {
          name,
          displayName: name,
          path: "",
          serviceUrl: null,
          protocols: [],
          subscriptionKeyParameterNames: { header: "", query: "" },
        }),
    ),
  ),
  // Gatehouse has no groups.
  Groups: property<Facade<Product>>(enumerableOf(GROUP), () => []),
});
props(GROUP, {
  Id: property<Facade<{ id: string }>>(STRING, (g) => g.target.id),
  Name: property<Facade<{ name: string }>>(STRING, (g) => g.target.name),
});

/** ProductState: Published or NotPublished. */
class ProductStateValue extends CsValue {
  constructor(readonly published: boolean) {
    super();
  }
  csType(): Type {
    return typeOf(PRODUCT_STATE_DEF);
  }
  override csToString(): string {
    return this.published ? "Published" : "NotPublished";
  }
  override csEquals(other: unknown): boolean {
    return other instanceof ProductStateValue && other.published === this.published;
  }
}
PRODUCT_STATE_DEF.statics.set(
  "Published",
  property(typeOf(PRODUCT_STATE_DEF), () => new ProductStateValue(true)),
);
PRODUCT_STATE_DEF.statics.set(
  "NotPublished",
  property(typeOf(PRODUCT_STATE_DEF), () => new ProductStateValue(false)),
);

const dateOf = (iso: string | null): DateTimeValue | null => (iso ? utcDateTime(Date.parse(iso)) : null);
props(SUBSCRIPTION, {
  Id: property<Facade<SubscriptionContext>>(STRING, (s) => s.target.name),
  Key: property<Facade<SubscriptionContext>>(STRING, (s) => s.target.key),
  Name: property<Facade<SubscriptionContext>>(STRING, (s) => s.target.displayName),
  PrimaryKey: property<Facade<SubscriptionContext>>(STRING, (s) => s.target.primaryKey),
  SecondaryKey: property<Facade<SubscriptionContext>>(STRING, (s) => s.target.secondaryKey),
  CreatedDate: property<Facade<SubscriptionContext>>(DATE_TIME, (s) => dateOf(s.target.createdDate)),
  StartDate: property<Facade<SubscriptionContext>>(nullableOf(DATE_TIME), (s) => dateOf(s.target.startDate)),
  EndDate: property<Facade<SubscriptionContext>>(nullableOf(DATE_TIME), (s) => dateOf(s.target.expirationDate)),
});
// IUser is never present, but its members exist so that `context.User?.Email` checks.
props(USER, {
  Id: property(STRING, () => null),
  Email: property(STRING, () => null),
  FirstName: property(STRING, () => null),
  LastName: property(STRING, () => null),
  Note: property(STRING, () => null),
  RegistrationDate: property(DATE_TIME, () => null),
  Groups: property(enumerableOf(GROUP), () => []),
  Identities: property(enumerableOf(USER_IDENTITY), () => []),
});
props(USER_IDENTITY, {
  Id: property(STRING, () => null),
  Provider: property(STRING, () => null),
});
props(LAST_ERROR, {
  Source: property<Facade<LastError>>(STRING, (e) => e.target.source),
  Reason: property<Facade<LastError>>(STRING, (e) => e.target.reason),
  Message: property<Facade<LastError>>(STRING, (e) => e.target.message),
  Scope: property<Facade<LastError>>(STRING, (e) => e.target.scope ?? null),
  Section: property<Facade<LastError>>(STRING, (e) => e.target.section ?? null),
  Path: property<Facade<LastError>>(STRING, (e) => e.target.path ?? null),
  PolicyId: property<Facade<LastError>>(STRING, (e) => e.target.policyId ?? null),
});
props(DEPLOYMENT, {
  ServiceName: property<Facade<Deployment>>(STRING, (d) => d.target.serviceName),
  Region: property<Facade<Deployment>>(STRING, (d) => d.target.region),
  GatewayId: property<Facade<Deployment>>(STRING, (d) => d.target.gatewayId),
  Gateway: property<Facade<Deployment>>(GATEWAY, (d) => new Facade(GATEWAY, d.target)),
  Certificates: property<Facade<Deployment>>(
    typeOf(READONLY_DICTIONARY_DEF, STRING, CERTIFICATE),
    () => new MapDictionary(typeOf(READONLY_DICTIONARY_DEF, STRING, CERTIFICATE), false),
  ),
});
props(GATEWAY, {
  Id: property<Facade<Deployment>>(STRING, (d) => d.target.gatewayId),
  IsManaged: property<Facade<Deployment>>(BOOL, (d) => d.target.gatewayId === "managed"),
});

// ---- IRequest, IResponse ----

const request = (self: unknown): PipelineContext => target<PipelineContext>(self);

/** The message body view, or null when the message has none. */
const bodyOf = (message: GatewayRequest | GatewayResponse): BodyView | null =>
  message.body === undefined ? null : new BodyView(message);

props(REQUEST, {
  Method: property(STRING, (r) => request(r).request.method),
  OriginalMethod: property(STRING, (r) => request(r).request.originalMethod),
  Url: property(URL_TYPE, (r) => forwardedUrl(request(r))),
  OriginalUrl: property(URL_TYPE, (r) => fixedUrl(request(r).request.originalUrl.href)),
  Headers: property(MULTI_VALUE_DICTIONARY, (r) => {
    const c = request(r);
    return new HeadersDictionary(() => c.request.headers);
  }),
  IpAddress: property(STRING, (r) => request(r).request.ipAddress),
  MatchedParameters: property(
    typeOf(READONLY_DICTIONARY_DEF, STRING, STRING),
    (r) => new MapView(typeOf(READONLY_DICTIONARY_DEF, STRING, STRING), request(r).request.matchedParameters),
  ),
  Body: { ...property(BODY, (r) => bodyOf(request(r).request)), readsBody: "request" },
  Certificate: property(CERTIFICATE, (r) => {
    const certificate = request(r).request.certificate;
    return certificate ? new Facade(CERTIFICATE, certificate) : null;
  }),
});

const response = (self: unknown): GatewayResponse => self as GatewayResponse;
props(RESPONSE, {
  StatusCode: property(INT, (r) => response(r).statusCode),
  StatusReason: property(STRING, (r) => response(r).statusReason),
  Headers: property(MULTI_VALUE_DICTIONARY, (r) => {
    const message = response(r);
    return new HeadersDictionary(() => message.headers);
  }),
  Body: { ...property(BODY, (r) => bodyOf(response(r))), readsBody: "response" },
});
RESPONSE.def.test = isResponse;
REQUEST.def.test = (v) => v instanceof Facade && v.csType() === REQUEST;

/** A GatewayResponse-shaped object (what send-request stores in a variable) is an IResponse. */
function isResponse(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const shape = value as Partial<GatewayResponse>;
  return typeof shape.statusCode === "number" && shape.headers instanceof HeaderMap;
}
recognize((value) => (isResponse(value) ? RESPONSE : undefined));

// ---- X509Certificate2 ----

const certificate = (self: unknown): X509Certificate => target<X509Certificate>(self);
/** "CN=a, O=b" from node's "CN=a\nO=b" (.NET lists the RDNs most specific first). */
const distinguishedName = (text: string): string => text.split("\n").reverse().join(", ");
props(CERTIFICATE, {
  Subject: property(STRING, (c) => distinguishedName(certificate(c).subject)),
  Issuer: property(STRING, (c) => distinguishedName(certificate(c).issuer)),
  Thumbprint: property(STRING, (c) => certificate(c).fingerprint.replaceAll(":", "").toUpperCase()),
  SerialNumber: property(STRING, (c) => certificate(c).serialNumber.toUpperCase()),
  NotBefore: property(DATE_TIME, (c) => utcDateTime(Date.parse(certificate(c).validFrom))),
  NotAfter: property(DATE_TIME, (c) => utcDateTime(Date.parse(certificate(c).validTo))),
  RawData: property(BYTE_ARRAY, (c) => new Uint8Array(certificate(c).raw)),
});

// ---- IUrl ----

/** An IUrl: its URL computed when read (the request's follows rewrite-uri and set-backend-service). */
class UrlView extends CsValue {
  constructor(
    readonly url: () => URL,
    readonly query: () => URLSearchParams,
  ) {
    super();
  }
  csType(): Type {
    return URL_TYPE;
  }
  override csToString(): string {
    const url = this.url();
    const search = this.query().toString();
    url.search = search;
    return url.href;
  }
}

function fixedUrl(href: string): UrlView {
  const url = new URL(href);
  return new UrlView(
    () => new URL(url.href),
    () => url.searchParams,
  );
}

/** The URL forward-request will call: the backend base URL, the request's path and its query. */
function forwardedUrl(c: PipelineContext): UrlView {
  return new UrlView(
    () => backendUrl(c),
    () => c.request.query,
  );
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443, "ws:": 80, "wss:": 443 };
const urlOf = (self: unknown): UrlView => self as UrlView;
props(URL_TYPE, {
  Scheme: property(STRING, (u) => urlOf(u).url().protocol.replace(/:$/, "")),
  Host: property(STRING, (u) => urlOf(u).url().hostname),
  Port: property(INT, (u) => {
    const url = urlOf(u).url();
    return url.port === "" ? (DEFAULT_PORTS[url.protocol] ?? -1) : Number(url.port);
  }),
  Path: property(STRING, (u) => decodeURIComponentSafe(urlOf(u).url().pathname)),
  Query: property(MULTI_VALUE_DICTIONARY, (u) => new QueryDictionary(urlOf(u).query)),
  QueryString: property(STRING, (u) => {
    const search = urlOf(u).query().toString();
    return search === "" ? "" : `?${search}`;
  }),
});
URL_TYPE.def.test = (v) => v instanceof UrlView;

function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

// ---- IMessageBody ----

/** A message's body, read as text, bytes or JSON; without preserveContent the message's body is consumed. */
class BodyView extends CsValue {
  constructor(private readonly message: { body: GatewayRequest["body"] }) {
    super();
  }
  csType(): Type {
    return BODY;
  }
  bytes(preserve: boolean): Buffer {
    const { body } = this.message;
    let bytes: Buffer;
    if (body === undefined) bytes = Buffer.alloc(0);
    else if (typeof body === "string") bytes = Buffer.from(body, "utf8");
    else if (Buffer.isBuffer(body)) bytes = body;
    else throw new ExpressionEvaluationError("The message body was not buffered before the expression ran");
    if (!preserve && body !== undefined) this.message.body = "";
    return bytes;
  }
}

/** The body as UTF-8 text, without a byte-order mark. */
const textOf = (bytes: Buffer): string => {
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
};

/** What `As<T>()` can read a body as; XML types are not available in Gatehouse. */
const BODY_TYPES = "string, byte[], JObject, JArray, JToken";

function readBody(body: BodyView, type: Type | undefined, preserve: boolean): unknown {
  if (!type) throw invalidOperation("As<T>() needs a type");
  const def: TypeDef = type.def;
  if (def === STRING_DEF) return textOf(body.bytes(preserve));
  if (type.def === BYTE_ARRAY.def && type.args[0]?.def === BYTE_ARRAY.args[0]?.def)
    return new Uint8Array(body.bytes(preserve));
  if (derivesFrom(def, JTOKEN_DEF)) {
    const token: JToken = parseJson(textOf(body.bytes(preserve)));
    if (def === JOBJECT_DEF && token.tokenType !== "Object") {
      throw new ExpressionEvaluationError(
        `Error reading JObject from JsonReader. Current JsonReader item is not an object: Start${token.tokenType}.`,
      );
    }
    if (def === JARRAY_DEF && token.tokenType !== "Array") {
      throw new ExpressionEvaluationError(
        `Error reading JArray from JsonReader. Current JsonReader item is not an array: Start${token.tokenType}.`,
      );
    }
    return token;
  }
  throw invalidOperation(`A body cannot be read as ${clrTypeName(type)}: use one of ${BODY_TYPES}`);
}

props(BODY, {
  As: {
    ...method<BodyView>({
      params: ["preserveContent"],
      min: 0,
      typeArgs: [1],
      returns: (_t, _a, [type]) => type ?? OBJECT,
      invoke: (b, [preserve], _f, [type]) => readBody(b, type, preserve === true),
    }),
    check: (_t, _a, [type]) => {
      if (!type) return undefined;
      const def = type.def;
      const ok =
        def === STRING_DEF ||
        derivesFrom(def, JTOKEN_DEF) ||
        (def === BYTE_ARRAY.def && type.args[0]?.def === BYTE_ARRAY.args[0]?.def);
      return ok
        ? undefined
        : `Body.As<${clrTypeName(type).replace(/^System\./, "")}>() is not supported: a body can be read as ${BODY_TYPES}`;
    },
  },
  AsFormUrlEncodedContent: method<BodyView>({
    params: ["preserveContent"],
    min: 0,
    returns: MULTI_VALUE_DICTIONARY,
    invoke: (b, [preserve]) => {
      // One pass grouping the values by name: getAll per name would read every pair once per distinct name.
      const values = new Map<string, string[]>();
      let fields = 0;
      for (const [key, value] of new URLSearchParams(textOf(b.bytes(preserve === true)))) {
        if (++fields > MAX_BODY_NODES) throw invalidOperation(`The form holds more than ${MAX_BODY_NODES} fields`);
        const group = values.get(key);
        if (group) group.push(value);
        else values.set(key, [value]);
      }
      const dictionary = new MapDictionary(MULTI_VALUE_DICTIONARY, false);
      for (const [key, group] of values) dictionary.set(key, group);
      return dictionary;
    },
  }),
});
BODY.def.test = (v) => v instanceof BodyView;
