import type { LoadedConfig } from "../config/load.js";
import { demoGatewaySection, type DemoUrls } from "./gateway.js";

/** The documented walkthrough's registrations: an API (ResourceApp) and a daemon client (ClientApp). */
export const DEMO = {
  tenantId: "7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f",
  domain: "contoso.example",
  resourceAppId: "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f",
  clientAppId: "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
  role: "APIAccess",
} as const;

/**
 * No secret is written here: the demo client's secret is generated on first start and kept sealed; the subscription's
 * keys are generated and read back with listSecrets.
 */
export function demoConfig(urls: DemoUrls): LoadedConfig {
  return {
    baseDir: process.cwd(),
    config: {
      gateway: demoGatewaySection(urls),
      identity: {
        tenants: [
          {
            id: DEMO.tenantId,
            displayName: "Contoso",
            domains: [DEMO.domain],
            applications: [
              {
                displayName: "ResourceApp",
                appId: DEMO.resourceAppId,
                identifierUris: [`api://${DEMO.resourceAppId}`],
                api: { requestedAccessTokenVersion: 2 },
                appRoles: [{ value: DEMO.role, displayName: "API access", allowedMemberTypes: ["Application"] }],
              },
              {
                displayName: "ClientApp",
                appId: DEMO.clientAppId,
                passwordCredentials: [{ displayName: "demo", endDateTime: "2099-01-01T00:00:00Z" }],
                requiredResourceAccess: [
                  { resourceAppId: DEMO.resourceAppId, resourceAccess: [{ type: "Role", value: DEMO.role }] },
                ],
                grantAdminConsent: true,
              },
            ],
          },
        ],
      },
    },
  };
}
