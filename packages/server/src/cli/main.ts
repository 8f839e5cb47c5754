import { Command, CommanderError } from "commander";
import { registerStart } from "./commands/start.js";
import { registerStoreCommands } from "./commands/store-commands.js";
import { registerTokenCommands } from "./commands/token-commands.js";
import { registerDecode } from "./commands/decode.js";
import { registerPolicyCommands } from "./commands/policy-commands.js";
import { registerApiCommands } from "./commands/api-commands.js";
import { registerIdentityCommands } from "./commands/identity-commands.js";

export function buildProgram(): Command {
  const program = new Command("gatehouse")
    .description("Gatehouse: self-hosted Entra ID-compatible identity service and API gateway")
    .version("0.1.0")
    .showSuggestionAfterError()
    .exitOverride();
  registerStart(program);
  registerStoreCommands(program);
  registerTokenCommands(program);
  registerDecode(program);
  registerPolicyCommands(program);
  registerApiCommands(program);
  registerIdentityCommands(program);
  return program;
}

/** Runs the CLI; every failure is one clear line on stderr (a stack only with GATEHOUSE_DEBUG=1). */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const err = error as Error & { code?: string };
    const message = err.code === "EADDRINUSE" ? `${err.message}: is another Gatehouse already running?` : err.message;
    process.stderr.write(`gatehouse: ${message.split("\n")[0]}\n`);
    if (process.env.GATEHOUSE_DEBUG === "1") process.stderr.write(`${err.stack ?? ""}\n`);
    process.exitCode = 1;
  }
}
