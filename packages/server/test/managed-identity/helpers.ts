import { fileURLToPath } from "node:url";
import { decodeJwt } from "jose";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { runNodeScript } from "../helpers/spawn-node.js";
import type { ManagedIdentity } from "../../src/identity/managed-identities/model.js";

export interface ClientOutcome {
  ok: boolean;
  accessToken?: string;
  expiresOnTimestamp?: number;
  name?: string;
  message?: string;
}

export interface ClientInput {
  sdk: "identity" | "default" | "msal";
  clientId?: string;
  resourceId?: string;
  objectId?: string;
  resource?: string;
}

/** Variables an Azure SDK might read from the test runner's environment, which a child must not inherit. */
const AZURE_VARIABLES = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "IMDS_ENDPOINT",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_AUTHORITY_HOST",
];

/** Runs test/clients/managed-identity.ts in its own process with only these variables (and the CA) set. */
export async function runManagedIdentityClient(
  input: ClientInput,
  env: Record<string, string>,
  caPath: string | undefined,
): Promise<ClientOutcome> {
  const script = fileURLToPath(new URL("../clients/managed-identity.ts", import.meta.url));
  const result = await runNodeScript(
    script,
    [JSON.stringify({ resource: RESOURCE, ...input })],
    { ...(caPath ? { NODE_EXTRA_CA_CERTS: caPath } : {}), ...env },
    60_000,
    AZURE_VARIABLES,
  );
  try {
    return JSON.parse(result.stdout) as ClientOutcome;
  } catch {
    throw new Error(`client exited ${result.code}: ${result.stderr || result.stdout}`);
  }
}

/** The example's resource: v2 tokens, app role APIAccess. */
export const RESOURCE = `api://${EXAMPLE.resourceAppId}`;

export interface Fixture {
  gh: TestGatehouse;
  /** orders-api: system-assigned identity (granted APIAccess) and the attached user-assigned `reports` (granted). */
  header: string;
  system: ManagedIdentity;
  reports: ManagedIdentity;
  /** A user-assigned identity attached to nothing. */
  stray: ManagedIdentity;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Grants the example resource's APIAccess role to a principal, as admin consent does. */
export async function grantApiAccess(gh: TestGatehouse, principalId: string): Promise<void> {
  const { resourceSp, roleId } = await gh.registry.read(async (repos) => {
    const app = await repos.applications.getByAppId(EXAMPLE.resourceAppId);
    return {
      resourceSp: await repos.servicePrincipals.findByAppId(EXAMPLE.tenantId, EXAMPLE.resourceAppId),
      roleId: app?.appRoles.find((r) => r.value === "APIAccess")?.id,
    };
  });
  if (!resourceSp || !roleId) throw new Error("the example resource is missing");
  await gh.registry.grantAppRole({ principalId, resourceId: resourceSp.id, appRoleId: roleId });
}

export async function startFixture(): Promise<Fixture> {
  const gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
  const identities = gh.registry.managedIdentities;
  const { identity: reports } = await identities.putUserAssigned({ tenantId: EXAMPLE.tenantId, name: "reports" });
  const { identity: stray } = await identities.putUserAssigned({ tenantId: EXAMPLE.tenantId, name: "stray" });
  const { host, header } = await identities.createHost({
    name: "orders-api",
    tenantId: EXAMPLE.tenantId,
    systemAssigned: true,
    imds: true,
    userAssigned: [reports.resourceId],
  });
  const system = await identities.find(host.systemAssigned as string);
  if (!system) throw new Error("no system-assigned identity");
  await grantApiAccess(gh, system.principalId);
  await grantApiAccess(gh, reports.principalId);
  await grantApiAccess(gh, stray.principalId);
  return {
    gh,
    header,
    system,
    reports,
    stray,
    env: { IDENTITY_ENDPOINT: `${gh.identityUrl}/msi/token`, IDENTITY_HEADER: header },
    stop: () => gh.stop(),
  };
}

/** Verifies the token against the tenant's JWKS (v2, as the example resource asks) and returns its claims. */
export async function verifiedClaims(gh: TestGatehouse, token: string | undefined) {
  if (!token) throw new Error("no token");
  const { payload } = await gh.verify(token, {
    issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
    audience: EXAMPLE.resourceAppId,
  });
  return payload;
}

export const claimsOf = (token: string) => decodeJwt(token);
