import type { GatewaySectionConfig } from "../config/schema.js";
import { DEMO } from "./config.js";

export const DEMO_GATEWAY = {
  product: "starter",
  subscription: "starter-demo",
  /** The developer who owns the demo client application (`/users/dev`), and that application. */
  developer: "dev",
  developerEmail: "dev@contoso.example",
  clientApplication: "contoso-dev-app",
  numbersApiPath: "numbers",
  echoApiPath: "echo",
  numberToWordsAction: "http://www.dataaccess.com/webservicesserver/NumberToWords",
  numberToDollarsAction: "http://www.dataaccess.com/webservicesserver/NumberToDollars",
} as const;

export interface DemoUrls {
  identityUrl: string;
  numbersUrl: string;
  echoUrl: string;
  /** The demo developer's password (generated on first start, kept sealed; the store holds its hash). */
  developerPassword: string;
}

/** A policy document whose inbound section adds `inbound` after `<base />`; the other sections inherit. */
const inboundPolicy = (inbound: string) => `<policies>
  <inbound>
    <base />
${inbound}
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`;

/** The Starter product tells its backends who the caller's owner is (a subscription's or an application's). */
const STARTER_POLICY = inboundPolicy(`    <choose>
      <when condition="@(context.User != null)">
        <set-header name="X-Gatehouse-User" exists-action="override">
          <value>@(context.User.Email)</value>
        </set-header>
      </when>
    </choose>`);

/**
 * The documented walkthrough's gateway: the NumberToWords SOAP API behind validate-jwt (tokens from the demo tenant
 * for ResourceApp), the Echo API, and the Starter product with one subscription; Starter also takes application
 * tokens (apim.md §5), with one client application owned by the demo developer.
 */
export function demoGatewaySection({
  identityUrl,
  numbersUrl,
  echoUrl,
  developerPassword,
}: DemoUrls): GatewaySectionConfig {
  const openIdConfig = `${identityUrl}/${DEMO.tenantId}/v2.0/.well-known/openid-configuration`;
  const soapOperation = (name: string, action: string) => ({
    name,
    displayName: name,
    method: "POST",
    urlTemplate: `/?soapAction=${action}`,
  });
  const anyPath = (method: string) => ({
    name: `${method.toLowerCase()}-resource`,
    displayName: `${method} resource`,
    method,
    urlTemplate: "/*",
  });
  return {
    apis: [
      {
        name: "numbers",
        displayName: "Number Conversion",
        description: "SOAP pass-through to the NumberConversion service; callers need a token for ResourceApp.",
        path: DEMO_GATEWAY.numbersApiPath,
        serviceUrl: numbersUrl,
        apiType: "soap",
        protocols: ["http", "https"],
        policy:
          inboundPolicy(`    <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401">
      <openid-config url="${openIdConfig}" />
      <audiences>
        <audience>${DEMO.resourceAppId}</audience>
        <audience>api://${DEMO.resourceAppId}</audience>
      </audiences>
      <required-claims>
        <claim name="roles" match="any">
          <value>${DEMO.role}</value>
        </claim>
      </required-claims>
    </validate-jwt>
    <set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />`),
        operations: [
          soapOperation("NumberToWords", DEMO_GATEWAY.numberToWordsAction),
          soapOperation("NumberToDollars", DEMO_GATEWAY.numberToDollarsAction),
        ],
      },
      {
        name: "echo",
        displayName: "Echo API",
        description: "Answers with what it received, to see what the gateway forwards.",
        path: DEMO_GATEWAY.echoApiPath,
        serviceUrl: echoUrl,
        protocols: ["http", "https"],
        operations: ["GET", "POST", "PUT", "PATCH", "DELETE"].map(anyPath),
      },
    ],
    products: [
      {
        name: DEMO_GATEWAY.product,
        displayName: "Starter",
        description: "Subscribers can call the demo APIs.",
        state: "published",
        subscriptionRequired: true,
        approvalRequired: false,
        authenticationType: ["subscription-key", "application-token"],
        apis: ["numbers", "echo"],
        policy: STARTER_POLICY,
      },
    ],
    users: [
      {
        name: DEMO_GATEWAY.developer,
        email: DEMO_GATEWAY.developerEmail,
        firstName: "Dana",
        lastName: "Developer",
        password: developerPassword,
      },
    ],
    clientApplications: [
      {
        name: DEMO_GATEWAY.clientApplication,
        displayName: "Contoso Dev App",
        description: "The demo developer's application: a token for it opens the Starter product's APIs.",
        ownerId: `/users/${DEMO_GATEWAY.developer}`,
        products: [DEMO_GATEWAY.product],
      },
    ],
    subscriptions: [
      {
        name: DEMO_GATEWAY.subscription,
        displayName: "Starter (demo)",
        scope: `/products/${DEMO_GATEWAY.product}`,
        state: "active",
      },
    ],
  };
}
