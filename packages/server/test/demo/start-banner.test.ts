import assert from "node:assert/strict";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DEMO_GATEWAY } from "../../src/demo/gateway.js";

const entry = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));
const run = promisify(execFile);

/** The lines of one numbered step of the banner that are commands (indented by two, continuations by four). */
function commandsOf(banner: string, step: number): string {
  const start = banner.indexOf(`\n${step}. `);
  const end = banner.indexOf(`\n${step + 1}. `, start);
  const block = banner.slice(start + 1, end === -1 ? banner.indexOf("\nPress Ctrl+C") : end);
  return block
    .split("\n")
    .filter((line) => /^ {2}(?! [A-Z(])\S| {4}\S/.test(line))
    .join("\n");
}

/** `npm start`'s demo: the commands it prints for application-based access run as pasted. */
describe("npm start's banner: application-based access", () => {
  let data: string;
  let server: ChildProcess;
  let banner = "";

  before(async () => {
    data = await mkdtemp(join(tmpdir(), "gatehouse-banner-"));
    server = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        entry,
        "start",
        "--data",
        data,
        "--identity-port",
        "0",
        "--gateway-port",
        "0",
        "--admin-port",
        "0",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    server.stdout?.setEncoding("utf8");
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${banner}`)), 90_000);
      server.stdout?.on("data", (chunk: string) => {
        banner += chunk;
        if (banner.includes("Press Ctrl+C to stop.")) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.once("exit", (code) => reject(new Error(`gatehouse start exited with ${String(code)}:\n${banner}`)));
    });
  });
  after(async () => {
    server.kill("SIGINT");
    await new Promise((resolve) => server.once("exit", resolve));
    await rm(data, { recursive: true, force: true });
  });

  it("step 4: a token for the Starter product's application opens the Echo API with no key", async () => {
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", commandsOf(banner, 4)]);
    const echoed = JSON.parse(stdout) as { headers: Record<string, string> };
    assert.equal(echoed.headers["x-gatehouse-user"], DEMO_GATEWAY.developerEmail);
    assert.equal(echoed.headers["ocp-apim-subscription-key"], undefined);
  });

  it("step 5: the developer signs in to the developer API and sees the application", async () => {
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", commandsOf(banner, 5)]);
    const page = JSON.parse(stdout) as { value: { displayName: string }[] };
    assert.deepEqual(
      page.value.map((app) => app.displayName),
      ["Contoso Dev App"],
    );
  });

  it("names the gateway's managed identity, as `gatehouse identity show gatehouse-gateway` shows it", async () => {
    const principalId = /principal id ([0-9a-f-]{36})/.exec(banner)?.[1];
    assert.ok(principalId, banner);
    const { stdout } = await run(process.execPath, [
      "--import",
      "tsx",
      entry,
      "identity",
      "show",
      "gatehouse-gateway",
      "--data",
      data,
    ]);
    assert.match(stdout, new RegExp(principalId));
    assert.match(stdout, /Microsoft\.ApiManagement\/service\/gatehouse/);
  });
});
