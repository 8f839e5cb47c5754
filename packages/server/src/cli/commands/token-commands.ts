import { createHash, randomUUID, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { importPKCS8, SignJWT } from "jose";
import { loadMasterKey } from "../../crypto/master-key.js";
import { readAdminClient } from "../../admin/management.js";
import { readRuntimeInfo } from "../../util/runtime-file.js";
import { fetchJson } from "../../util/https-fetch.js";
import { dataOption } from "../options.js";

export class TokenCommandError extends Error {
  override name = "TokenCommandError";
}

interface TokenEndpointTarget {
  tokenUrl: string;
  caPath?: string;
}

async function postForm(target: TokenEndpointTarget, form: Record<string, string>) {
  const response = await fetchJson(
    target.tokenUrl,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    },
    target.caPath,
  );
  const body = response.body as Record<string, unknown> | undefined;
  if (response.status !== 200 || typeof body?.access_token !== "string") {
    const description =
      typeof body?.error_description === "string" ? body.error_description.split("\r\n")[0] : undefined;
    throw new TokenCommandError(description ?? `token endpoint answered ${response.status}`);
  }
  return body as Record<string, unknown> & { access_token: string };
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

/** A private_key_jwt assertion as @azure/identity sends it: PS256 with the certificate's SHA-256 thumbprint. */
async function certificateAssertion(clientId: string, tokenUrl: string, certFile: string, keyFile: string) {
  const certificate = new X509Certificate(await readFile(certFile));
  const key = await importPKCS8(await readFile(keyFile, "utf8"), "PS256");
  return new SignJWT({})
    .setProtectedHeader({
      alg: "PS256",
      typ: "JWT",
      "x5t#S256": createHash("sha256").update(certificate.raw).digest("base64url"),
    })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setJti(randomUUID())
    .setNotBefore("0s")
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(key);
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
      const body = await postForm(
        {
          tokenUrl: `${server.identityUrl}/${admin.tenantId}/oauth2/v2.0/token`,
          ...(server.caPath ? { caPath: server.caPath } : {}),
        },
        {
          grant_type: "client_credentials",
          client_id: admin.clientId,
          client_secret: admin.clientSecret,
          scope: admin.scope,
        },
      );
      process.stdout.write(`${body.access_token}\n`);
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
    .option("--key <file>", "PEM PKCS#8 private key of --certificate")
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
        const tokenUrl = `${server.identityUrl}/${flags.tenant}/oauth2/${flags.scope ? "v2.0/" : ""}token`;
        const form: Record<string, string> = { grant_type: "client_credentials", client_id: flags.clientId };
        if (flags.scope) form.scope = flags.scope;
        if (flags.resource) form.resource = flags.resource;
        if (flags.clientSecret) form.client_secret = flags.clientSecret;
        else {
          form.client_assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
          form.client_assertion = await certificateAssertion(
            flags.clientId,
            tokenUrl,
            flags.certificate as string,
            flags.key as string,
          );
        }
        const body = await postForm({ tokenUrl, ...(server.caPath ? { caPath: server.caPath } : {}) }, form);
        process.stdout.write(flags.json ? `${JSON.stringify(body, null, 2)}\n` : `${body.access_token}\n`);
      },
    );
}
