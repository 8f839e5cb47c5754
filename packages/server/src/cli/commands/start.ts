import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { startGatehouse, type RunningGatehouse } from "../../server.js";
import { DEFAULT_REDIS_TIMEOUT_MS, defaultServerOptions, type ServerOptions } from "../../config/options.js";
import { DEMO } from "../../demo/config.js";
import { DEMO_GATEWAY } from "../../demo/gateway.js";
import { generatedCredentialLines } from "../generated-credentials.js";
import { demoClientSecret } from "../../demo/client-secret.js";
import { demoApplicationSecret, demoDeveloperPassword } from "../../demo/developer.js";
import { loadMasterKey } from "../../crypto/master-key.js";
import { removeRuntimeInfo, writeRuntimeInfo } from "../../util/runtime-file.js";
import { availableParallelism } from "node:os";
import { dataOption, databaseOption, parseNonNegativeInt, parsePort, parsePositiveInt } from "../options.js";
import { MAX_RATE_WINDOW_SECONDS } from "../../gateway/state/gateway-state.js";

interface StartFlags {
  config?: string;
  data: string;
  database?: string;
  demo: boolean;
  host: string;
  identityPort: number;
  gatewayPort: number;
  gatewayWorkers: number;
  adminPort: number;
  publicUrl?: string;
  portalUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  issuerV1?: string;
  issuerV2?: string;
  tokenLifetime: number;
  jwksRefreshCooldown: number;
  azureAdAuthority?: string;
  applicationTenant?: string;
  redis?: string;
  redisTimeout: number;
  authFailureLimit: number;
  authFailureAddressLimit: number;
  authFailureWindow: number;
  redact: string[];
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxConnections: number;
  maxHeaderSize: number;
  logLevel: ServerOptions["logLevel"];
}

export function registerStart(program: Command): void {
  const d = defaultServerOptions;
  program
    .command("start")
    .description("start the identity service, gateway and admin API (with demo content when no --config is given)")
    .addOption(new Option("--config <file>", "YAML configuration to apply at start").env("GATEHOUSE_CONFIG"))
    .addOption(dataOption())
    .addOption(databaseOption())
    .addOption(new Option("--no-demo", "do not add the demo tenant when no --config is given").env("GATEHOUSE_NO_DEMO"))
    .addOption(new Option("--host <address>", "address to listen on").env("GATEHOUSE_HOST").default(d.host))
    .addOption(
      new Option("--identity-port <port>", "identity listener port")
        .env("GATEHOUSE_IDENTITY_PORT")
        .default(d.identityPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option("--gateway-port <port>", "gateway listener port")
        .env("GATEHOUSE_GATEWAY_PORT")
        .default(d.gatewayPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option("--gateway-workers <n>", "gateway processes sharing the port: a number, or 'auto' for one per core")
        .env("GATEHOUSE_GATEWAY_WORKERS")
        .default(d.gatewayWorkers)
        .argParser(parseWorkers),
    )
    .addOption(
      new Option("--admin-port <port>", "admin API port")
        .env("GATEHOUSE_ADMIN_PORT")
        .default(d.adminPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option("--public-url <url>", "public base URL of the identity listener (issuers, discovery)").env(
        "GATEHOUSE_PUBLIC_URL",
      ),
    )
    .addOption(
      new Option(
        "--portal-url <url>",
        "public base URL of the developer portal, where invitation and password-reset links point",
      ).env("GATEHOUSE_PORTAL_URL"),
    )
    .addOption(
      new Option("--tls-cert <file>", "PEM certificate to serve instead of the local CA's").env("GATEHOUSE_TLS_CERT"),
    )
    .addOption(new Option("--tls-key <file>", "PEM private key for --tls-cert").env("GATEHOUSE_TLS_KEY"))
    .addOption(
      new Option("--insecure-http", "serve plain HTTP (MSAL and @azure/identity refuse it)").env(
        "GATEHOUSE_INSECURE_HTTP",
      ),
    )
    .addOption(
      new Option("--issuer-v1 <template>", "v1 token issuer; {tenantid} and {publicUrl} are replaced").env(
        "GATEHOUSE_ISSUER_V1",
      ),
    )
    .addOption(
      new Option("--issuer-v2 <template>", "v2 token issuer; {tenantid} and {publicUrl} are replaced").env(
        "GATEHOUSE_ISSUER_V2",
      ),
    )
    .addOption(
      new Option("--token-lifetime <seconds>", "access token lifetime")
        .env("GATEHOUSE_TOKEN_LIFETIME")
        .default(d.tokenLifetimeSeconds)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        "--jwks-refresh-cooldown <seconds>",
        "least time between two JWKS refetches that tokens with an unknown kid trigger, per openid-config",
      )
        .env("GATEHOUSE_JWKS_REFRESH_COOLDOWN")
        .default(d.jwksRefreshCooldownMs / 1000)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        "--azure-ad-authority <url>",
        "authority validate-azure-ad-token uses (default: this server's identity listener)",
      ).env("GATEHOUSE_AZURE_AD_AUTHORITY"),
    )
    .addOption(
      new Option(
        "--application-tenant <tenant>",
        "tenant (GUID or domain) where products' and client applications' registrations are made (default: the default tenant)",
      ).env("GATEHOUSE_APPLICATION_TENANT"),
    )
    .addOption(
      new Option(
        "--redis <url>",
        "keep rate limits, quotas and caches in this Redis (redis://host:port), shared by every gateway process",
      )
        .env("GATEHOUSE_REDIS")
        .argParser(parseRedisUrl),
    )
    .addOption(
      new Option("--redis-timeout <ms>", "how long a request waits for Redis before a policy fails open or closed")
        .env("GATEHOUSE_REDIS_TIMEOUT")
        .default(DEFAULT_REDIS_TIMEOUT_MS)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        "--auth-failure-limit <n>",
        "wrong client secrets one address may send for one client id per window before 429 (0: no limit)",
      )
        .env("GATEHOUSE_AUTH_FAILURE_LIMIT")
        .default(d.credentialThrottle.perClientAndAddress)
        .argParser(parseNonNegativeInt),
    )
    .addOption(
      new Option(
        "--auth-failure-address-limit <n>",
        "wrong client secrets (token endpoint) or subscription keys (gateway) one address may send per window (0: no limit)",
      )
        .env("GATEHOUSE_AUTH_FAILURE_ADDRESS_LIMIT")
        .default(d.credentialThrottle.perAddress)
        .argParser(parseNonNegativeInt),
    )
    .addOption(
      new Option(
        "--auth-failure-window <seconds>",
        `the sliding window failed attempts are counted in (1-${MAX_RATE_WINDOW_SECONDS})`,
      )
        .env("GATEHOUSE_AUTH_FAILURE_WINDOW")
        .default(d.credentialThrottle.windowSeconds)
        .argParser(parseWindowSeconds),
    )
    .addOption(
      new Option(
        "--redact <names>",
        "more header and query parameter names whose values logs and traces hide, comma-separated",
      )
        .env("GATEHOUSE_REDACT")
        .default([])
        .argParser(parseNames),
    )
    .addOption(
      new Option("--headers-timeout <seconds>", "every listener: time a client has to send a request's headers (408)")
        .env("GATEHOUSE_HEADERS_TIMEOUT")
        .default(d.limits.headersTimeoutMs / 1000)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        "--request-timeout <seconds>",
        "every listener: time a client has to send a whole request, body included (408)",
      )
        .env("GATEHOUSE_REQUEST_TIMEOUT")
        .default(d.limits.requestTimeoutMs / 1000)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        "--keep-alive-timeout <seconds>",
        "every listener: how long an idle connection waits for its next request",
      )
        .env("GATEHOUSE_KEEP_ALIVE_TIMEOUT")
        .default(d.limits.keepAliveTimeoutMs / 1000)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        "--max-connections <n>",
        "every listener (and gateway worker): open connections; more are closed at once",
      )
        .env("GATEHOUSE_MAX_CONNECTIONS")
        .default(d.limits.maxConnections)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option("--max-header-size <bytes>", "every listener: request line and header fields together (431)")
        .env("GATEHOUSE_MAX_HEADER_SIZE")
        .default(d.limits.maxHeaderSize)
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option("--log-level <level>", "log level")
        .env("GATEHOUSE_LOG_LEVEL")
        .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
        .default(d.logLevel),
    )
    .action(async (flags: StartFlags) => {
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
        throw new Error("--tls-cert and --tls-key go together");
      }
      if (flags.portalUrl !== undefined && !(URL.canParse(flags.portalUrl) && /^https?:\/\//i.test(flags.portalUrl))) {
        throw new Error("--portal-url must be an absolute http or https URL");
      }
      if (flags.headersTimeout > flags.requestTimeout) {
        throw new Error("--headers-timeout cannot be longer than --request-timeout");
      }
      const options: ServerOptions = {
        ...d,
        dataDir: flags.data,
        ...(flags.database ? { database: flags.database } : {}),
        ...(flags.config ? { configFile: flags.config } : {}),
        demo: flags.demo && !flags.config,
        host: flags.host,
        identityPort: flags.identityPort,
        gatewayPort: flags.gatewayPort,
        gatewayWorkers: flags.gatewayWorkers,
        adminPort: flags.adminPort,
        ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
        ...(flags.portalUrl ? { portalUrl: flags.portalUrl } : {}),
        tls: flags.insecureHttp
          ? { mode: "insecure" }
          : flags.tlsCert && flags.tlsKey
            ? { mode: "files", certFile: flags.tlsCert, keyFile: flags.tlsKey }
            : { mode: "local" },
        ...(flags.issuerV1 ? { issuerV1Template: flags.issuerV1 } : {}),
        ...(flags.issuerV2 ? { issuerV2Template: flags.issuerV2 } : {}),
        tokenLifetimeSeconds: flags.tokenLifetime,
        jwksRefreshCooldownMs: flags.jwksRefreshCooldown * 1000,
        ...(flags.azureAdAuthority ? { azureAdAuthority: flags.azureAdAuthority.replace(/\/+$/, "") } : {}),
        ...(flags.applicationTenant ? { applicationTenant: flags.applicationTenant } : {}),
        ...(flags.redis ? { redis: { url: flags.redis, commandTimeoutMs: flags.redisTimeout } } : {}),
        credentialThrottle: {
          perClientAndAddress: flags.authFailureLimit,
          perAddress: flags.authFailureAddressLimit,
          windowSeconds: flags.authFailureWindow,
        },
        redactNames: flags.redact,
        limits: {
          headersTimeoutMs: flags.headersTimeout * 1000,
          requestTimeoutMs: flags.requestTimeout * 1000,
          keepAliveTimeoutMs: flags.keepAliveTimeout * 1000,
          maxConnections: flags.maxConnections,
          maxHeaderSize: flags.maxHeaderSize,
        },
        logLevel: flags.logLevel,
      };
      process.stderr.write(`Starting Gatehouse (data: ${flags.data}) …\n`);
      const running = await startGatehouse(options);
      await writeRuntimeInfo(running.dataDir, {
        pid: process.pid,
        identityUrl: running.identityUrl,
        adminUrl: running.adminUrl,
        gatewayUrl: running.gatewayUrl,
        ...(running.caPath ? { caPath: running.caPath } : {}),
      });
      process.stdout.write(await banner(running, options));
      const stop = async () => {
        await removeRuntimeInfo(running.dataDir);
        await running.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    });
}

async function banner(running: RunningGatehouse, options: ServerOptions): Promise<string> {
  const lines = [
    "",
    "Gatehouse is running",
    `  identity  ${running.identityUrl}   token, discovery and JWKS endpoints (Entra ID-compatible)`,
    `  gateway   ${running.gatewayUrl}   API gateway (API Management-compatible policies and errors)`,
    `  admin     ${running.adminUrl}   admin API (Graph and API Management shapes), /openapi.json, /metrics`,
    `  store     ${running.store.location}`,
    "",
  ];
  const identity = running.gatewayIdentity;
  lines.push(
    ...(identity
      ? [
          "The gateway's managed identity (grant it app roles for authentication-managed-identity):",
          `  principal id ${identity.principalId}   client id ${identity.clientId}   tenant ${identity.tenantId}`,
          `  gatehouse identity grant ${identity.principalId} --resource <appId or App ID URI> --role <role>`,
        ]
      : ["The gateway has no managed identity yet (no application tenant): see the log."]),
    "",
  );
  const cacert = running.caPath ? `--cacert ${running.caPath} ` : "";
  if (running.caPath) {
    lines.push("Trust the local CA in Node clients (MSAL, @azure/identity, openid-client):");
    lines.push(`  export NODE_EXTRA_CA_CERTS=${running.caPath}`, "");
  }
  const shownElsewhere = options.demo ? { appId: DEMO.clientAppId, subscription: DEMO_GATEWAY.subscription } : {};
  const generated = running.applied ? generatedCredentialLines(running.applied, shownElsewhere) : [];
  if (generated.length > 0) lines.push(...generated, "");
  if (options.demo) {
    const secret = await demoClientSecret(
      running.dataDir,
      await loadMasterKey(running.dataDir),
      running.registry,
      running.applied,
    );
    const { primaryKey } = await running.gateway.subscriptions.listSecrets(DEMO_GATEWAY.subscription);
    const soap = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><NumberToWords xmlns="http://www.dataaccess.com/webservicesserver/"><ubiNum>500</ubiNum></NumberToWords></soap:Body></soap:Envelope>`;
    const callNumbers = (authorization: string) => [
      `  curl -s ${cacert}${running.gatewayUrl}/${DEMO_GATEWAY.numbersApiPath} \\`,
      `    -H "Authorization: ${authorization}" -H 'Ocp-Apim-Subscription-Key: ${primaryKey}' \\`,
      `    -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "${DEMO_GATEWAY.numberToWordsAction}"' \\`,
      `    -d '${soap}'`,
    ];
    lines.push(
      "1. Get a token for the demo API (tenant Contoso, ClientApp → ResourceApp, role APIAccess):",
      `  TOKEN=$(curl -s ${cacert}${running.identityUrl}/${DEMO.tenantId}/oauth2/v2.0/token \\`,
      `    -d grant_type=client_credentials -d client_id=${DEMO.clientAppId} \\`,
      `    --data-urlencode 'client_secret=${secret}' \\`,
      `    --data-urlencode 'scope=api://${DEMO.resourceAppId}/.default' \\`,
      `    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
      "",
      "2. Call the NumberToWords SOAP API through the gateway with the token and the Starter subscription key",
      "   (the answer holds 'five hundred'):",
      ...callNumbers("Bearer $TOKEN"),
      "",
      "3. The same call with a tampered token is refused by validate-jwt (401 Invalid JWT.):",
      ...callNumbers("Bearer ${TOKEN}x"),
      "",
      "Look inside the token:  npx gatehouse decode $TOKEN",
      "",
      ...(await applicationAccessLines(running, cacert)),
    );
  }
  lines.push("Press Ctrl+C to stop.", "");
  return lines.join("\n");
}

/** The demo's application-based access (apim.md §5): a token for the Starter product's application, no key. */
async function applicationAccessLines(running: RunningGatehouse, cacert: string): Promise<string[]> {
  await running.syncApplications();
  const product = await running.gateway.products.get(DEMO_GATEWAY.product);
  const entra = product?.entra;
  if (!entra?.enabled) return ["(The Starter product's application is not provisioned yet: see the log.)", ""];
  const masterKey = await loadMasterKey(running.dataDir);
  const { clientId, secret } = await demoApplicationSecret(running.dataDir, masterKey, running.gateway);
  const password = await demoDeveloperPassword(running.dataDir, masterKey);
  const developer = DEMO_GATEWAY.developer;
  return [
    `4. Application-based access: Starter also takes tokens for its own application (${entra.audience}).`,
    `   Get one as the developer's client application "Contoso Dev App" and call the Echo API with no key`,
    `   (the echo shows X-Gatehouse-User: ${DEMO_GATEWAY.developerEmail}, the application's owner):`,
    `  APP_TOKEN=$(curl -s ${cacert}${running.identityUrl}/${entra.tenantId}/oauth2/v2.0/token \\`,
    `    -d grant_type=client_credentials -d client_id=${clientId} \\`,
    `    --data-urlencode 'client_secret=${secret}' \\`,
    `    --data-urlencode 'scope=${entra.audience}/.default' \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
    `  curl -s ${cacert}${running.gatewayUrl}/${DEMO_GATEWAY.echoApiPath}/hello -H "Authorization: Bearer $APP_TOKEN"`,
    "",
    `5. The developer's view (the developer API): sign in as ${DEMO_GATEWAY.developerEmail} and list the applications:`,
    `  SAS=$(curl -s ${cacert}-o /dev/null -D - -u '${DEMO_GATEWAY.developerEmail}:${password}' \\`,
    `    ${running.adminUrl}/developer/identity | sed -n 's/^ocp-apim-sas-token: *//Ip' | tr -d '\\r')`,
    `  curl -s ${cacert}${running.adminUrl}/developer/users/${developer}/clientApplications \\`,
    `    -H "Authorization: SharedAccessSignature $SAS"`,
    "",
  ];
}

function parseRedisUrl(value: string): string {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol !== "redis:" && protocol !== "rediss:") {
    throw new InvalidArgumentError("expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379");
  }
  return value;
}

function parseWorkers(value: string): number {
  return value === "auto" ? availableParallelism() : parsePositiveInt(value);
}

function parseWindowSeconds(value: string): number {
  const seconds = parsePositiveInt(value);
  if (seconds > MAX_RATE_WINDOW_SECONDS) {
    throw new InvalidArgumentError(`'${value}' is longer than ${MAX_RATE_WINDOW_SECONDS} seconds`);
  }
  return seconds;
}

/** `a,b , c` → [a, b, c]; given more than once, the lists add up. */
function parseNames(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== ""),
  ];
}
