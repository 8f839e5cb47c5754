import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { resolveTenant } from "../../admin/tenant-scope.js";
import type { Core } from "../../server.js";
import { identityEnvironment } from "../../identity/managed-identities/environment.js";
import { grantRoleToIdentity } from "../../identity/managed-identities/grants.js";
import type { IdentityHost, ManagedIdentity } from "../../identity/managed-identities/model.js";
import { readRuntimeInfo } from "../../util/runtime-file.js";
import { dataOption, databaseOption, type StoreFlags } from "../options.js";
import { withCore } from "./store-commands.js";

export class IdentityCommandError extends Error {
  override name = "IdentityCommandError";
}

type Format = "shell" | "dotenv" | "powershell";
const FORMATS: readonly Format[] = ["shell", "dotenv", "powershell"];

function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`'${value}' is not one of ${FORMATS.join(", ")}`);
  }
  return value as Format;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Lines that set variables, quoted for the shell, a .env file or PowerShell. */
export function variableLines(variables: Record<string, string>, format: Format): string[] {
  return Object.entries(variables).map(([name, value]) => {
    switch (format) {
      case "shell":
        return `export ${name}='${value.replaceAll("'", `'\\''`)}'`;
      case "dotenv":
        return `${name}=${JSON.stringify(value)}`;
      case "powershell":
        return `$env:${name} = '${value.replaceAll("'", "''")}'`;
    }
  });
}

/**
 * Where the running server's identity listener is and which CA it uses (`--identity-url` overrides); without a
 * running server's word, an https URL is taken to use the data folder's local CA when there is one.
 */
async function identityListener(data: string, identityUrl: string | undefined) {
  const info = await readRuntimeInfo(resolve(data));
  const url = identityUrl ?? info?.identityUrl;
  if (!url) {
    throw new IdentityCommandError(`no running Gatehouse for ${resolve(data)}: start it, or give --identity-url`);
  }
  const localCa = resolve(data, "tls", "ca.pem");
  const caPath = info?.caPath ?? (url.startsWith("https:") && existsSync(localCa) ? localCa : undefined);
  return { identityUrl: url.replace(/\/+$/, ""), caPath };
}

function describeHost(host: IdentityHost, identities: readonly ManagedIdentity[]): string[] {
  const byId = new Map(identities.map((i) => [i.principalId, i]));
  const system = host.systemAssigned === null ? undefined : byId.get(host.systemAssigned);
  return [
    `host ${host.name}${host.imds ? " (IMDS: this machine)" : ""}`,
    `  tenant       ${host.tenantId}`,
    `  resource id  ${host.resourceId}`,
    system
      ? `  system-assigned  clientId ${system.clientId}  principalId ${system.principalId}`
      : "  system-assigned  (none)",
    ...host.userAssigned.flatMap((id) => {
      const identity = byId.get(id);
      return identity
        ? [`  user-assigned    ${identity.name}  clientId ${identity.clientId}  ${identity.resourceId}`]
        : [];
    }),
  ];
}

const describeIdentity = (identity: ManagedIdentity): string[] => [
  `${identity.kind === "UserAssigned" ? "user-assigned identity" : "system-assigned identity of host"} ${identity.name}`,
  `  tenant       ${identity.tenantId}`,
  `  clientId     ${identity.clientId}`,
  `  principalId  ${identity.principalId}`,
  `  resource id  ${identity.resourceId}`,
];

function print(lines: string[]): void {
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function tenantOf(core: Core, tenant: string | undefined): Promise<string> {
  return (await resolveTenant(core.registry, core.management, tenant)).id;
}

/** A managed identity by name or id; a host's name means its system-assigned identity. */
async function requireIdentity(core: Core, reference: string): Promise<ManagedIdentity> {
  const identities = core.registry.managedIdentities;
  const host = await identities.getHost(reference);
  const identity =
    (await identities.find(reference)) ??
    (host?.systemAssigned ? await identities.find(host.systemAssigned) : undefined);
  if (!identity) throw new IdentityCommandError(`no managed identity '${reference}'`);
  return identity;
}

/**
 * `gatehouse identity …`: hosts (compute resources that get managed-identity tokens) and user-assigned identities,
 * on the store directly (a running server picks changes up within seconds), and `env`, which prints the variables
 * a service exports to get its host's tokens from the running server.
 */
export function registerIdentityCommands(program: Command): void {
  const identity = program.command("identity").description("managed identities and the hosts that use them");
  const store = (command: Command) => command.addOption(dataOption()).addOption(databaseOption());

  store(
    identity
      .command("create-host <name>")
      .description("create a host (like an App Service app) and print its identity header once")
      .option("--tenant <tenant>", "tenant GUID or domain (default: the default tenant)")
      .option("--resource-id <id>", "its Azure resource id (default: an App Service app's)")
      .option("--system-assigned", "give it a system-assigned identity")
      .option("--user-assigned <identity>", "attach a user-assigned identity (repeatable)", collect, [])
      .option("--imds", "also serve it at the IMDS endpoint to callers on this machine"),
  ).action(
    async (
      name: string,
      flags: StoreFlags & {
        tenant?: string;
        resourceId?: string;
        systemAssigned?: boolean;
        userAssigned: string[];
        imds?: boolean;
      },
    ) =>
      withCore(flags, async (core) => {
        const { host } = await core.registry.managedIdentities.createHost({
          name,
          tenantId: await tenantOf(core, flags.tenant),
          ...(flags.resourceId !== undefined ? { resourceId: flags.resourceId } : {}),
          systemAssigned: flags.systemAssigned ?? false,
          userAssigned: flags.userAssigned,
          imds: flags.imds ?? false,
        });
        print([
          ...describeHost(host, await core.registry.managedIdentities.list({ tenantId: host.tenantId })),
          "",
          `Print the variables for your service with: gatehouse identity env ${host.name}`,
        ]);
      }),
  );

  store(
    identity
      .command("create <name>")
      .description("create a user-assigned identity")
      .option("--tenant <tenant>", "tenant GUID or domain (default: the default tenant)")
      .option("--subscription <id>", "subscription of its resource id")
      .option("--resource-group <name>", "resource group of its resource id")
      .option("--location <location>", "ARM location", "local"),
  ).action(
    async (
      name: string,
      flags: StoreFlags & { tenant?: string; subscription?: string; resourceGroup?: string; location: string },
    ) =>
      withCore(flags, async (core) => {
        const { identity: created, created: isNew } = await core.registry.managedIdentities.putUserAssigned({
          tenantId: await tenantOf(core, flags.tenant),
          name,
          ...(flags.subscription !== undefined ? { subscription: flags.subscription } : {}),
          ...(flags.resourceGroup !== undefined ? { resourceGroup: flags.resourceGroup } : {}),
          location: flags.location,
        });
        if (!isNew) throw new IdentityCommandError(`the identity ${created.resourceId} already exists`);
        print(describeIdentity(created));
      }),
  );

  store(identity.command("list").description("list hosts and user-assigned identities")).action(
    async (flags: StoreFlags) =>
      withCore(flags, async (core) => {
        const identities = await core.registry.managedIdentities.list();
        const hosts = await core.registry.managedIdentities.listHosts();
        print([
          ...hosts.flatMap((host) => describeHost(host, identities)),
          ...identities.filter((i) => i.kind === "UserAssigned").flatMap(describeIdentity),
        ]);
      }),
  );

  store(identity.command("show <name>").description("show a host, or a managed identity by name or id")).action(
    async (name: string, flags: StoreFlags) =>
      withCore(flags, async (core) => {
        const host = await core.registry.managedIdentities.getHost(name);
        if (host) return print(describeHost(host, await core.registry.managedIdentities.list()));
        print(describeIdentity(await requireIdentity(core, name)));
      }),
  );

  store(
    identity
      .command("delete <name>")
      .description("delete a host (with its system-assigned identity) or a user-assigned identity"),
  ).action(async (name: string, flags: StoreFlags) =>
    withCore(flags, async (core) => {
      const identities = core.registry.managedIdentities;
      if (await identities.deleteHost(name)) return print([`deleted host ${name}`]);
      const found = await requireIdentity(core, name);
      if (found.kind !== "UserAssigned") {
        throw new IdentityCommandError(`'${name}' is a system-assigned identity: delete its host instead`);
      }
      await identities.deleteUserAssigned(found.resourceId);
      print([`deleted identity ${found.resourceId}`]);
    }),
  );

  for (const [verb, description] of [
    ["attach", "attach a user-assigned identity to a host"],
    ["detach", "detach a user-assigned identity from a host"],
  ] as const) {
    store(identity.command(`${verb} <host> <identity>`).description(description)).action(
      async (hostName: string, reference: string, flags: StoreFlags) =>
        withCore(flags, async (core) => {
          const identities = core.registry.managedIdentities;
          const host = await identities[verb](hostName, reference);
          print(describeHost(host, await identities.list({ tenantId: host.tenantId })));
        }),
    );
  }

  store(
    identity
      .command("grant <identity>")
      .description("grant an app role to a managed identity (admin consent)")
      .requiredOption("--resource <app>", "the resource application's appId or App ID URI")
      .requiredOption("--role <value>", "the app role's value (or id)"),
  ).action(async (reference: string, flags: StoreFlags & { resource: string; role: string }) =>
    withCore(flags, async (core) => {
      const found = await requireIdentity(core, reference);
      const { created } = await grantRoleToIdentity(core.registry, found, flags.resource, flags.role);
      print([`${created ? "granted" : "already granted"}: ${found.name} → ${flags.resource} role ${flags.role}`]);
    }),
  );

  const envOptions = (command: Command) =>
    store(command)
      .addOption(new Option("--format <format>", "shell, dotenv or powershell").argParser(parseFormat).default("shell"))
      .option("--identity <identity>", "a user-assigned identity of the host to use (sets AZURE_CLIENT_ID)")
      .addOption(
        new Option("--identity-url <url>", "identity listener (default: the running server's)").env(
          "GATEHOUSE_IDENTITY_URL",
        ),
      );
  type EnvFlags = StoreFlags & { format: Format; identity?: string; identityUrl?: string };
  const printEnv = async (core: Core, hostName: string, flags: EnvFlags, header: string) => {
    const listener = await identityListener(flags.data, flags.identityUrl);
    const host = await core.registry.managedIdentities.getHost(hostName);
    if (!host) throw new IdentityCommandError(`no host '${hostName}'`);
    let clientId: string | undefined;
    if (flags.identity !== undefined) {
      const chosen = await requireIdentity(core, flags.identity);
      if (!host.userAssigned.includes(chosen.principalId)) {
        throw new IdentityCommandError(`'${flags.identity}' is not attached to host ${host.name}`);
      }
      clientId = chosen.clientId;
    }
    print(
      variableLines(
        identityEnvironment({
          identityUrl: listener.identityUrl,
          header,
          ...(clientId !== undefined ? { clientId } : {}),
          ...(listener.caPath !== undefined ? { caPath: listener.caPath } : {}),
        }),
        flags.format,
      ),
    );
  };

  envOptions(
    identity
      .command("env <host>")
      .description(
        "print the variables a service exports to get the host's tokens; each run adds a header value, earlier ones keep working",
      ),
  ).action(async (hostName: string, flags: EnvFlags) =>
    withCore(flags, async (core) =>
      printEnv(core, hostName, flags, await core.registry.managedIdentities.addHeader(hostName)),
    ),
  );

  envOptions(
    identity
      .command("rotate <host>")
      .description("revoke every identity-header value of the host and print the variables with its new one"),
  ).action(async (hostName: string, flags: EnvFlags) =>
    withCore(flags, async (core) =>
      printEnv(core, hostName, flags, await core.registry.managedIdentities.rotateHeaders(hostName)),
    ),
  );
}
