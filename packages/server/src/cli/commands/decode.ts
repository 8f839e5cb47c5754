import type { Command } from "commander";
import { decodeToken, renderExplanation } from "../decode/index.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function registerDecode(program: Command): void {
  program
    .command("decode")
    .description("show a JWT's header and claims, each explained, times as dates (like jwt.ms); does not verify")
    .argument("[jwt]", "the token, or - (or nothing) to read it from standard input")
    .option("--json", "print header and claims as JSON")
    .action(async (jwt: string | undefined, flags: { json?: boolean }) => {
      const token = decodeToken(jwt === undefined || jwt === "-" ? await readStdin() : jwt);
      if (flags.json)
        process.stdout.write(`${JSON.stringify({ header: token.header, claims: token.claims }, null, 2)}\n`);
      else process.stdout.write(`${renderExplanation(token, { color: process.stdout.isTTY === true })}\n`);
    });
}
