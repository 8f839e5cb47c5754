import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";
import { ClientCredentials, type ClientCredentialsOptions, type TokenResult } from "@gatehouse/client";
import { loadMasterKey } from "../../crypto/master-key.js";
import { readAdminClient } from "../../admin/management.js";
import { readRuntimeInfo } from "../../util/runtime-file.js";
import { agentTrusting } from "../../util/trusted-tls.js";
import { dataOption } from "../options.js";

export class TokenCommandError extends Error {
  override name = "TokenCommandError";
}

async function runningServer(data: string, identityUrl?: string) {
  const dataDir = resolve(data);
  const info = await readRuntimeInfo(dataDir);
  const url = identityUrl ?? info?.identityUrl;
  if (!url) {
    throw new TokenCommandError(`no running Gatehouse for ${dataDir}: start it, or give --identity-url`);
  }
  return { dataDir, identityUrl: url.replace(/\/+$/, ""), ...(info?.caPath ? { caPath: info.caPath } : {}) };
}

/**
 * One token with the client package, trusting the running server's local CA besides the usual ones. The package's errors (AADSTS first line, unreachable endpoint) are the command's.
 */
async function clientCredentialsToken(
  options: Omit<ClientCredentialsOptions, "fetch">,
  caPath: string | undefined,
): Promise<TokenResult> {
  const agent = await agentTrusting(caPath);
  // undici's Request/Response types differ from the global ones in name only.
  const fetch = agent
    ? (((input: string | URL, init?: RequestInit) =>
        undiciFetch(input, {
          ...(init as UndiciRequestInit),
          dispatcher: agent,
        })) as unknown as typeof globalThis.fetch)
    : undefined;
  try {
    return await new ClientCredentials({ ...options, ...(fetch ? { fetch } : {}) }).getToken();
  } finally {
    await agent?.close();
  }
}

export function registerTokenCommands(program: Command): void {
  program
    .command("admin-token")
    .description("print an access token for the bootstrap admin client (for the admin API)")
    .addOption(dataOption())
    .addOption(
      new Option("--identity-url <url>", "identity listener (default: the running server's)").env(
        "GATEHOUSE_IDENTITY_URL",
      ),
    )
    .action(async (flags: { data: string; identityUrl?: string }) => {
      const server = await runningServer(flags.data, flags.identityUrl);
      const admin = await readAdminClient(server.dataDir, await loadMasterKey(server.dataDir));
      const token = await clientCredentialsToken(
        {
          authority: `${server.identityUrl}/${admin.tenantId}`,
          clientId: admin.clientId,
          clientSecret: admin.clientSecret,
          scope: admin.scope,
        },
        server.caPath,
      );
      process.stdout.write(`${token.accessToken}\n`);
    });

  program
    .command("token")
    .description("get an access token with the client credentials grant, like `az account get-access-token`")
    .requiredOption("--tenant <tenant>", "tenant GUID or verified domain")
    .requiredOption("--client-id <id>", "the client application's appId")
    .option("--scope <scope>", "resource/.default (v2 endpoint)")
    .option("--resource <uri>", "resource (v1 endpoint)")
    .addOption(new Option("--client-secret <secret>", "client secret").env("GATEHOUSE_CLIENT_SECRET"))
    .option("--certificate <file>", "PEM certificate registered on the application (with --key)")
    .option("--key <file>", "PEM private key of --certificate (PKCS#8 or PKCS#1)")
    .addOption(dataOption())
    .addOption(
      new Option("--identity-url <url>", "authority host (default: the running server's)").env(
        "GATEHOUSE_IDENTITY_URL",
      ),
    )
    .option("--json", "print the whole token response")
    .action(
      async (flags: {
        tenant: string;
        clientId: string;
        scope?: string;
        resource?: string;
        clientSecret?: string;
        certificate?: string;
        key?: string;
        data: string;
        identityUrl?: string;
        json?: boolean;
      }) => {
        if ((flags.scope === undefined) === (flags.resource === undefined))
          throw new TokenCommandError("give either --scope or --resource");
        if ((flags.certificate === undefined) !== (flags.key === undefined))
          throw new TokenCommandError("--certificate and --key go together");
        if ((flags.clientSecret === undefined) === (flags.certificate === undefined)) {
          throw new TokenCommandError("give either --client-secret or --certificate with --key");
        }
        const server = await runningServer(flags.data, flags.identityUrl);
        const credential = flags.clientSecret
          ? { clientSecret: flags.clientSecret }
          : {
              certificate: {
                certificate: await readFile(flags.certificate as string, "utf8"),
                privateKey: await readFile(flags.key as string, "utf8"),
              },
            };
        const token = await clientCredentialsToken(
          {
            authority: `${server.identityUrl}/${flags.tenant}`,
            clientId: flags.clientId,
            ...credential,
            ...(flags.scope ? { scope: flags.scope } : { resource: flags.resource as string }),
          },
          server.caPath,
        );
        process.stdout.write(flags.json ? `${JSON.stringify(token.response, null, 2)}\n` : `${token.accessToken}\n`);
      },
    );
}
