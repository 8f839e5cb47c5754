import { relative } from "node:path";
import { APPS, API1_ROLE, API1_SCOPE, HOSTS } from "./apps.js";
import type { RunningExample } from "./start.js";

/** The banner `npm run example:api-to-api` prints: what runs where, and commands to paste. */
export function instructions(example: RunningExample, generated: { api2: boolean; noRole: boolean }): string {
  const { api1, api2, api2ManagedIdentity, authority, gatehouse, secrets } = example;
  const ca = relative(process.cwd(), example.caPath);
  const token = (clientId: string, secretVariable: string) => [
    `  TOKEN=$(curl -s --cacert ${ca} ${authority}/oauth2/v2.0/token \\`,
    `    -d grant_type=client_credentials -d client_id=${clientId} \\`,
    `    --data-urlencode "client_secret=$${secretVariable}" --data-urlencode 'scope=${API1_SCOPE}' \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
  ];
  const lines = [
    "",
    "API-to-API example is running",
    `  Gatehouse  ${authority}   authority (tenant Fabrikam), data in ${relative(process.cwd(), gatehouse.dataDir)}`,
    `  API1       ${api1.url}/records   Records API: requireAuth + requireRole("${API1_ROLE}")`,
    `  API2       ${api2.url}/records   calls API1 with a client-credentials token (ClientCredentials)`,
    `  API2 (MI)  ${api2ManagedIdentity.url}/records   the same with DefaultAzureCredential, as host ${HOSTS.api2} (own process)`,
    "",
  ];
  // Generated secrets are shown once, as `gatehouse start` does, so the commands below can be pasted.
  if (generated.api2 || generated.noRole) {
    lines.push("Client secrets generated for this run (set API2_SECRET / NOROLE_SECRET to choose them):");
    if (generated.api2) lines.push(`  export API2_SECRET='${secrets.api2}'`);
    if (generated.noRole) lines.push(`  export NOROLE_SECRET='${secrets.noRole}'`);
    lines.push("");
  }
  lines.push(
    "1. API2 gets a token for API1, calls it and returns the ten records:",
    `  curl -s ${api2.url}/records`,
    "",
    "2. API1 without a token: 401 with WWW-Authenticate:",
    `  curl -si ${api1.url}/records`,
    "",
    "3. API2's token straight to API1 (200), then tampered (401 invalid_token):",
    ...token(APPS.api2, "API2_SECRET"),
    `  curl -s ${api1.url}/records -H "Authorization: Bearer $TOKEN"`,
    `  curl -si ${api1.url}/records -H "Authorization: Bearer \${TOKEN}x"`,
    "",
    `4. A client without ${API1_ROLE} (NoRole): 403`,
    ...token(APPS.noRole, "NOROLE_SECRET"),
    `  curl -si ${api1.url}/records -H "Authorization: Bearer $TOKEN"`,
    "",
    `5. API2's managed-identity variant: DefaultAzureCredential gets the token from Gatehouse's App Service endpoint`,
    `  curl -s ${api2ManagedIdentity.url}/records`,
    "",
    "Look inside a token:  npx gatehouse decode $TOKEN",
    "Press Ctrl+C to stop.",
    "",
  );
  return lines.join("\n");
}
