import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JsonResponse } from "../../src/util/https-fetch.js";
import { JWT_BEARER } from "../../src/identity/token/request.js";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { runNodeScript } from "../helpers/spawn-node.js";

/** Asserts an Entra error response and returns its description. */
export function expectAadsts(response: JsonResponse, status: number, error: string, code: number): string {
  const body = response.body as { error: string; error_codes: number[]; error_description: string };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [code]);
  assert.match(body.error_description, new RegExp(`^AADSTS${code}: `));
  return body.error_description;
}

/** A client-credentials request with an external token as the client assertion. */
export const exchange = (gh: TestGatehouse, tenant: string, clientId: string, assertion: string, scope: string) =>
  gh.postForm(gh.tokenUrl(tenant), {
    grant_type: "client_credentials",
    client_id: clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion,
    scope,
  });

export interface WorkloadOutcome {
  ok: boolean;
  accessToken?: string;
  message?: string;
}

/**
 * Runs @azure/identity's WorkloadIdentityCredential in its own process with only the environment a Kubernetes pod
 * with workload identity gets (the token file, client and tenant ids, the authority host) and the CA trusted.
 */
export async function runWorkloadIdentity(
  gh: TestGatehouse,
  input: { federatedToken: string; clientId: string; tenantId: string; scope: string },
): Promise<WorkloadOutcome> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-wif-"));
  try {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, input.federatedToken);
    const result = await runNodeScript(
      fileURLToPath(new URL("../clients/workload-identity.ts", import.meta.url)),
      [input.scope],
      {
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_CLIENT_ID: input.clientId,
        AZURE_TENANT_ID: input.tenantId,
        AZURE_AUTHORITY_HOST: gh.identityUrl,
        NODE_EXTRA_CA_CERTS: gh.caPath as string,
      },
      60_000,
    );
    try {
      return JSON.parse(result.stdout) as WorkloadOutcome;
    } catch {
      throw new Error(`workload-identity client exited ${result.code}: ${result.stderr || result.stdout}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
