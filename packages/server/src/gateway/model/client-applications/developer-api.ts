/**
 * The signed-in developer's client applications in the developer API (the portal's data API, reference apim.md §5.3):
 * `users/{userId}/clientApplications`, one application's details with its token URL and the scope of each product,
 * its products with their audience and approval state, listSecrets, and snippets that get a token and call an API.
 * An application is its owner's alone: another user's answers 404, as one that does not exist.
 */
import { z } from "zod";
import { LIST_PARAMETERS, listPage } from "../../../admin/apim/arm.js";
import { ok, type Operation, type ParameterSpec } from "../../../admin/operations.js";
import { flatField } from "../../../developer/api/catalog.js";
import { named, page } from "../../../developer/api/contracts.js";
import { dataApiErrors } from "../../../developer/api/errors.js";
import type { Secured } from "../../../developer/api/operation.js";
import type { Api } from "../apis/types.js";
import type { Operation as ApiOperation } from "../operations/types.js";
import { productEntraSettings, type Product } from "../products/types.js";
import { applicationSettings } from "../../../developer/api/contracts.js";
import type { GatewayRegistry } from "../registry.js";
import { addClientSecret } from "./registration.js";
import { clientApplicationSnippets } from "./snippets.js";
import { clientApplicationState, linkState, type ClientApplication, type ClientApplicationState } from "./types.js";
import { clientApplicationSecrets } from "./arm-schemas.js";

/** Where a developer's code goes: the identity service and the gateway, as this server serves them. */
export interface DeveloperEndpoints {
  /** The identity service's base URL: token URLs are `<identity>/<tenant>/oauth2/v2.0/token`. */
  identityUrl(): string;
  /** The gateway's base URL. */
  gatewayUrl(): string;
  /** The local CA certificate file, when the listeners use one (snippets trust it). */
  caPath?: string;
}

const STATES = ["pending", "active", "rejected", "approved"] as const;

const applicationContract = named(
  "DeveloperClientApplication",
  z.object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    /** The client id to get tokens with; null while the registration is pending. */
    entraApplicationId: z.string().nullable(),
    entraTenantId: z.string().nullable(),
    state: z.enum(STATES),
  }),
);
type ApplicationView = z.output<typeof applicationContract>;

const detailsContract = named(
  "DeveloperClientApplicationDetails",
  applicationContract.extend({
    /** `<identity>/<tenant>/oauth2/v2.0/token`; null while the registration is pending. */
    tokenUrl: z.string().nullable(),
    /** The scope to ask a token for, per linked product with a registration. */
    products: z.array(z.object({ id: z.string(), name: z.string(), scope: z.string() })),
  }),
);

const applicationProductContract = named(
  "DeveloperClientApplicationProduct",
  z.object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    /** The product's credential types: `subscription-key` and/or `application-token`. */
    authenticationType: z.array(z.string()),
    /** The product application: the audience of tokens for the product; null until it is registered. */
    applicationSettings: z.object({ entra: z.object({ applicationId: z.string(), audience: z.string() }) }).nullable(),
    /** The link's approval state. */
    state: z.enum(STATES),
  }),
);

const snippetsContract = named(
  "DeveloperClientApplicationSnippets",
  z.object({
    product: z.string(),
    api: z.string(),
    tokenUrl: z.string(),
    scope: z.string(),
    /** The URL the snippets call. */
    url: z.string(),
    curl: z.string(),
    powershell: z.string(),
    msalNode: z.string(),
  }),
);

const applicationPage = page("DeveloperClientApplicationCollection", applicationContract);
const productPage = page("DeveloperClientApplicationProductCollection", applicationProductContract);
const FILTERABLE = ["name", "displayName", "description", "state"];

const SNIPPET_PARAMETERS: readonly ParameterSpec[] = [
  {
    name: "product",
    in: "query",
    description: "A linked product with a registration (default: the only one)",
    schema: { type: "string" },
  },
  { name: "api", in: "query", description: "An API of the product (default: its first)", schema: { type: "string" } },
];

const scopeOf = (applicationId: string) => `api://${applicationId}/.default`;

function applicationView(userId: string, app: ClientApplication): ApplicationView {
  return {
    id: `/users/${userId}/clientApplications/${app.name}`,
    name: app.name,
    displayName: app.displayName,
    description: app.description,
    entraApplicationId: app.entra?.appId ?? null,
    entraTenantId: app.entra?.tenantId ?? null,
    state: clientApplicationState(app),
  };
}

/** The path a snippet calls: the API's first GET operation's template without its query, `/*` as `/`. */
function pathOf(operations: readonly ApiOperation[]): string {
  const get = operations.find((o) => o.method === "GET" || o.method === "*");
  const template = (get?.urlTemplate ?? "/").split("?")[0] ?? "/";
  return template.endsWith("/*") ? template.slice(0, -1) : template;
}

/** A query option given at most once. */
function queryOption(value: unknown, name: string): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw dataApiErrors.validation(`Query option '${name}' was given more than once.`, name);
}

export function clientApplicationDeveloperOperations(gateway: GatewayRegistry, endpoints: DeveloperEndpoints) {
  const tokenAuthority = (tenantId: string) => `${endpoints.identityUrl().replace(/\/+$/, "")}/${tenantId}`;
  const owned = async (userId: string, name: string): Promise<ClientApplication> => {
    const app = await gateway.clientApplications.get(name);
    if (app?.ownerId !== userId) throw dataApiErrors.notFound("ClientApplication");
    return app;
  };
  /** The application's linked products, in link order. */
  const linkedProducts = async (
    app: ClientApplication,
  ): Promise<{ product: Product; state: ClientApplicationState }[]> => {
    const products = new Map((await gateway.products.list()).map((p) => [p.name, p]));
    return app.productLinks.flatMap((link) => {
      const product = products.get(link.product);
      return product ? [{ product, state: linkState(app, link) }] : [];
    });
  };
  const item = "/users/{userId}/clientApplications/{clientApplicationId}";

  return (secured: Secured): Operation[] => [
    secured({
      method: "GET",
      path: "/users/{userId}/clientApplications",
      summary: "The user's client applications",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The applications", schema: applicationPage },
      handle: async (context) => {
        const { userId } = context.caller;
        const mine = (await gateway.clientApplications.list()).filter((app) => app.ownerId === userId);
        const views = mine.map((app) => applicationView(userId, app));
        return ok(listPage(context, views, FILTERABLE, flatField));
      },
    }),
    secured({
      method: "GET",
      path: item,
      summary: "One of the user's client applications, with its token URL and the scope of each product",
      response: { status: 200, description: "The application", schema: detailsContract },
      handle: async (context) => {
        const { userId } = context.caller;
        const app = await owned(userId, context.param("clientApplicationId"));
        const products = (await linkedProducts(app)).flatMap(({ product }) => {
          const entra = productEntraSettings(product);
          return entra
            ? [{ id: `/products/${product.name}`, name: product.name, scope: scopeOf(entra.applicationId) }]
            : [];
        });
        const tokenUrl = app.entra ? `${tokenAuthority(app.entra.tenantId)}/oauth2/v2.0/token` : null;
        return ok({ ...applicationView(userId, app), tokenUrl, products });
      },
    }),
    secured({
      method: "GET",
      path: `${item}/products`,
      summary: "The products the application is linked to, with their audience and approval state",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The products", schema: productPage },
      handle: async (context) => {
        const app = await owned(context.caller.userId, context.param("clientApplicationId"));
        const views = (await linkedProducts(app)).map(({ product, state }) => ({
          id: `/products/${product.name}`,
          name: product.name,
          displayName: product.displayName,
          description: product.description,
          authenticationType: product.authenticationType,
          applicationSettings: applicationSettings(product),
          state,
        }));
        return ok(listPage(context, views, ["name", "displayName", "description", "state"], flatField));
      },
    }),
    secured({
      method: "POST",
      path: `${item}/listSecrets`,
      summary: "A new client secret, valid one year, shown only in this answer",
      response: { status: 200, description: "The new secret", schema: clientApplicationSecrets },
      handle: async (context) => {
        const app = await owned(context.caller.userId, context.param("clientApplicationId"));
        const { secret, expiresAt } = await addClientSecret(gateway, app.name);
        return ok({ entra: { clientSecret: secret, expiresAt } }, { "cache-control": "no-store" });
      },
    }),
    secured({
      method: "GET",
      path: `${item}/snippets`,
      summary: "curl, PowerShell and MSAL Node code that gets a token and calls an API of a product",
      parameters: SNIPPET_PARAMETERS,
      response: { status: 200, description: "The snippets", schema: snippetsContract },
      handle: async (context) => {
        const app = await owned(context.caller.userId, context.param("clientApplicationId"));
        if (!app.entra)
          throw dataApiErrors.validation(
            "The application is not registered yet: retry shortly.",
            "clientApplicationId",
          );
        const registered = (await linkedProducts(app)).flatMap(({ product }) => {
          const entra = productEntraSettings(product);
          return entra ? [{ product, entra }] : [];
        });
        const wanted = queryOption(context.query.product, "product");
        const chosen =
          wanted === undefined
            ? registered.length === 1
              ? registered[0]
              : undefined
            : registered.find((r) => r.product.name === wanted);
        if (!chosen) {
          const names = registered.map((r) => r.product.name).join(", ") || "(none yet)";
          throw dataApiErrors.validation(
            wanted === undefined
              ? `Name one of the application's products with application access: ${names}.`
              : `Product '${wanted}' is not one of the application's products with application access.`,
            "product",
          );
        }
        const { product, entra } = chosen;
        const api = await apiOf(gateway, product, queryOption(context.query.api, "api"));
        const authority = tokenAuthority(app.entra.tenantId);
        const input = {
          authority,
          tokenUrl: `${authority}/oauth2/v2.0/token`,
          clientId: app.entra.appId,
          scope: scopeOf(entra.applicationId),
          url: `${endpoints.gatewayUrl().replace(/\/+$/, "")}${api.api.path === "" ? "" : `/${api.api.path}`}${pathOf(api.operations)}`,
          ...(endpoints.caPath ? { caPath: endpoints.caPath } : {}),
        };
        return ok({
          product: product.name,
          api: api.api.name,
          tokenUrl: input.tokenUrl,
          scope: input.scope,
          url: input.url,
          ...clientApplicationSnippets(input),
        });
      },
    }),
  ];
}

/** The named API of the product (default: its first), with its operations. */
async function apiOf(
  gateway: GatewayRegistry,
  product: Product,
  wanted: string | undefined,
): Promise<{ api: Api; operations: ApiOperation[] }> {
  const name = wanted ?? product.apis[0];
  if (name === undefined || !product.apis.includes(name)) {
    throw dataApiErrors.validation(
      wanted === undefined
        ? `Product '${product.name}' has no APIs.`
        : `Api '${wanted}' is not in product '${product.name}'.`,
      "api",
    );
  }
  return gateway.read(async (tx) => {
    const api = await tx.apis.require(name);
    return { api, operations: await tx.operations.list(name) };
  });
}
