import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { openCore, type Core } from "../../server.js";
import { loadConfigFile } from "../../config/load.js";
import { generatedCredentialLines } from "../generated-credentials.js";
import { reconcile } from "../../config/reconcile.js";
import { exportConfig } from "../../config/export.js";
import { DEFAULT_ROTATION_LEAD_SECONDS, rotateSigningKey } from "../../identity/keys/rotation.js";
import { ensureLocalTls } from "../../tls/local-ca.js";
import { dataOption, databaseOption, parseNonNegativeInt, type StoreFlags } from "../options.js";

/** Runs `fn` on the store the flags name, closing it after. */
export async function withCore<T>(flags: StoreFlags, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore(resolve(flags.data), flags.database);
  try {
    return await fn(core);
  } finally {
    await core.store.close();
  }
}

/** Commands that work on the store directly; a running server picks their changes up within seconds. */
export function registerStoreCommands(program: Command): void {
  program
    .command("init")
    .description("create the data folder: master key, database, signing key, local CA and bootstrap admin client")
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags) => {
      process.stderr.write(`Initialising ${flags.data} (generating keys) …\n`);
      await withCore(flags, async (core) => {
        const tls = await ensureLocalTls(core.dataDir, core.masterKey);
        process.stdout.write(
          [
            `Initialised ${core.dataDir}`,
            `  store            ${core.store.location}`,
            `  local CA         ${tls.caPath}`,
            `  admin client     ${core.management.clientAppId} (credentials sealed in admin-client.json)`,
            `  management API   api://${core.management.resourceAppId} in tenant ${core.management.tenantId}`,
            "",
          ].join("\n"),
        );
      });
    });

  program
    .command("apply")
    .description("apply a YAML configuration to the store (idempotent; nothing absent from the file is deleted)")
    .requiredOption("-f, --file <file>", "configuration file")
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { file: string }) => {
      const loaded = await loadConfigFile(flags.file);
      await withCore(flags, async (core) => {
        const report = await reconcile(core.registry, loaded, core.gateway);
        const out = report.changes.length === 0 ? ["No changes."] : report.changes.map((c) => `  ${c}`);
        process.stdout.write(`${[...out, ...generatedCredentialLines(report)].join("\n")}\n`);
      });
    });

  program
    .command("export")
    .description("write the current configuration as YAML, without secrets")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { output?: string }) => {
      await withCore(flags, async (core) => {
        const yaml = await exportConfig(core.registry, core.management, core.gateway);
        if (flags.output) await writeFile(flags.output, yaml);
        else process.stdout.write(yaml);
      });
    });

  const keys = program.command("keys").description("token signing keys");
  keys
    .command("rotate")
    .description(
      "publish a new signing key now and sign with it after the lead time; the previous one stays published until its tokens expire",
    )
    .addOption(
      new Option("--lead-time <seconds>", "how long the new key is published before it signs")
        .env("GATEHOUSE_KEY_LEAD_TIME")
        .default(DEFAULT_ROTATION_LEAD_SECONDS)
        .argParser(parseNonNegativeInt)
        .conflicts("now"),
    )
    .addOption(new Option("--now", "sign with the new key at once (an emergency: a leaked key)"))
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { leadTime: number; now?: boolean }) => {
      process.stderr.write("Generating a new RSA-2048 signing key …\n");
      await withCore(flags, async (core) => {
        const { kid, activatedAt } = await rotateSigningKey(core.store, core.masterKey, flags.now ? 0 : flags.leadTime);
        process.stdout.write(
          flags.now || flags.leadTime === 0
            ? `New signing key ${kid}. A running server signs with it within a few seconds.\n`
            : `New signing key ${kid}, published within a few seconds; it signs from ${activatedAt}.\n`,
        );
      });
    });
}
