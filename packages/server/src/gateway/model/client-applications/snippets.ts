/**
 * Ready-to-run code a developer copies to call a product's API with their client application (reference apim.md §5.1,
 * step 7): get a token with the client-credentials grant, then call the gateway with it. The secret is never in the
 * code (it is shown once, by listSecrets): each snippet reads it from the CLIENT_SECRET environment variable.
 */

export interface SnippetInput {
  /** `<identity>/<tenant>` as MSAL takes it. */
  authority: string;
  /** `<authority>/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  /** `api://<product application>/.default`. */
  scope: string;
  /** The gateway URL the snippet calls (`GET`). */
  url: string;
  /** The local CA's certificate file, when the identity service and gateway use one. */
  caPath?: string;
}

export interface Snippets {
  curl: string;
  powershell: string;
  /** An ES module for Node 18+ with @azure/msal-node. */
  msalNode: string;
}

/** A single-quoted shell word. */
const shell = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
/** A single-quoted PowerShell string. */
const powershell = (value: string) => `'${value.replaceAll("'", "''")}'`;
/** A JavaScript string literal. */
const js = (value: string) => JSON.stringify(value);

export function clientApplicationSnippets(input: SnippetInput): Snippets {
  return { curl: curl(input), powershell: powershellSnippet(input), msalNode: msalNode(input) };
}

function curl(input: SnippetInput): string {
  const ca = input.caPath ? ` --cacert ${shell(input.caPath)}` : "";
  return [
    "# Set CLIENT_SECRET to a secret from listSecrets first.",
    `TOKEN=$(curl -sS --fail-with-body${ca} ${shell(input.tokenUrl)} \\`,
    "  -d grant_type=client_credentials \\",
    `  --data-urlencode ${shell(`client_id=${input.clientId}`)} \\`,
    '  --data-urlencode "client_secret=$CLIENT_SECRET" \\',
    `  --data-urlencode ${shell(`scope=${input.scope}`)} \\`,
    `  | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
    `curl -sS${ca} ${shell(input.url)} -H "Authorization: Bearer $TOKEN"`,
    "",
  ].join("\n");
}

function powershellSnippet(input: SnippetInput): string {
  // PowerShell 7 trusts the local CA once it is in the system store; -SkipCertificateCheck is never suggested.
  return [
    "# Set $env:CLIENT_SECRET to a secret from listSecrets first.",
    "$body = @{",
    "  grant_type    = 'client_credentials'",
    `  client_id     = ${powershell(input.clientId)}`,
    "  client_secret = $env:CLIENT_SECRET",
    `  scope         = ${powershell(input.scope)}`,
    "}",
    `$token = (Invoke-RestMethod -Method Post -Uri ${powershell(input.tokenUrl)} -Body $body).access_token`,
    `Invoke-RestMethod -Uri ${powershell(input.url)} -Headers @{ Authorization = "Bearer $token" }`,
    "",
  ].join("\n");
}

function msalNode(input: SnippetInput): string {
  const host = new URL(input.authority).host;
  const run = input.caPath
    ? `CLIENT_SECRET=… NODE_EXTRA_CA_CERTS=${input.caPath} node call-api.mjs`
    : "CLIENT_SECRET=… node call-api.mjs";
  return [
    "// npm install @azure/msal-node",
    `// Run: ${run}`,
    'import { ConfidentialClientApplication } from "@azure/msal-node";',
    "",
    "const app = new ConfidentialClientApplication({",
    "  auth: {",
    `    clientId: ${js(input.clientId)},`,
    `    authority: ${js(input.authority)},`,
    "    clientSecret: process.env.CLIENT_SECRET,",
    // MSAL checks authorities other than Entra's against this list instead of Entra's discovery.
    `    knownAuthorities: [${js(host)}],`,
    "  },",
    "});",
    `const { accessToken } = await app.acquireTokenByClientCredential({ scopes: [${js(input.scope)}] });`,
    `const response = await fetch(${js(input.url)}, { headers: { Authorization: \`Bearer \${accessToken}\` } });`,
    "console.log(response.status, await response.text());",
    "",
  ].join("\n");
}
