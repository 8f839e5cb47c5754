import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { identityCli, runCli } from "../helpers/cli.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { RESOURCE, runManagedIdentityClient, verifiedClaims, type ClientOutcome } from "./helpers.js";

/** Sources the printed lines in a POSIX shell and runs the SDK client there, as a user pastes them. */
function runWithSourcedLines(lines: string, input: object): Promise<ClientOutcome> {
  const client = fileURLToPath(new URL("../clients/managed-identity.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(
      "sh",
      ["-c", `${lines}\nexec "$0" --import tsx "$1" "$2"`, process.execPath, client, JSON.stringify(input)],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", () => {
      try {
        resolve(JSON.parse(stdout) as ClientOutcome);
      } catch {
        reject(new Error(`client failed: ${stderr || stdout}`));
      }
    });
  });
}

describe("gatehouse identity …", () => {
  let gh: TestGatehouse;
  let data: string;
  const cli = identityCli(() => data);
  before(async () => {
    data = await mkdtemp(join(tmpdir(), "gatehouse-mi-cli-"));
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir: data });
  });
  after(async () => {
    await gh.stop();
    await rm(data, { recursive: true, force: true });
  });

  it("creates a host and an identity, grants a role, and `env` prints lines that work when exported", async () => {
    assert.match(await cli("create", "reports"), /user-assigned identity reports/);
    const created = await cli("create-host", "orders-api", "--system-assigned", "--user-assigned", "reports");
    assert.match(created, /host orders-api/);
    assert.match(created, /user-assigned {4}reports/);
    assert.match(await cli("grant", "orders-api", "--resource", RESOURCE, "--role", "APIAccess"), /^granted/);
    assert.match(await cli("grant", "orders-api", "--resource", RESOURCE, "--role", "APIAccess"), /already granted/);
    assert.match(await cli("grant", "reports", "--resource", EXAMPLE.resourceAppId, "--role", "APIAccess"), /^granted/);
    assert.match(await cli("list"), /host orders-api[\s\S]*user-assigned identity reports/);

    const shell = await cli("env", "orders-api", "--identity-url", gh.identityUrl);
    assert.match(shell, /^export IDENTITY_ENDPOINT='https:\/\/.+\/msi\/token'$/m);
    assert.match(shell, /^export NODE_EXTRA_CA_CERTS='.+ca\.pem'$/m);
    const system = await runWithSourcedLines(shell, { sdk: "identity", resource: RESOURCE });
    assert.equal(system.ok, true, system.message);
    const systemClaims = await verifiedClaims(gh, system.accessToken);
    assert.deepEqual(systemClaims.roles, ["APIAccess"]);

    // A second `env` adds a header value: the first still works. --identity sets AZURE_CLIENT_ID for DefaultAzureCredential.
    const dotenv = await cli(
      "env",
      "orders-api",
      "--identity",
      "reports",
      "--format",
      "dotenv",
      "--identity-url",
      gh.identityUrl,
    );
    const variables = Object.fromEntries(
      dotenv
        .trim()
        .split("\n")
        .map((line) => {
          const at = line.indexOf("=");
          return [line.slice(0, at), JSON.parse(line.slice(at + 1)) as string];
        }),
    );
    const user = await runManagedIdentityClient({ sdk: "default" }, variables, undefined);
    assert.equal(user.ok, true, user.message);
    const reports = await verifiedClaims(gh, user.accessToken);
    assert.match(String(reports.xms_mirid), /userAssignedIdentities\/reports$/);
    assert.equal((await runWithSourcedLines(shell, { sdk: "msal", resource: RESOURCE })).ok, true);

    const powershell = await cli("env", "orders-api", "--format", "powershell", "--identity-url", gh.identityUrl);
    assert.match(powershell, /^\$env:IDENTITY_HEADER = '.+'$/m);

    // Rotation revokes every earlier value.
    const rotated = await cli("rotate", "orders-api", "--identity-url", gh.identityUrl);
    const old = await runWithSourcedLines(shell, { sdk: "msal", resource: RESOURCE });
    assert.equal(old.ok, false);
    assert.match(old.message ?? "", /X-IDENTITY-HEADER header is not valid/);
    assert.equal((await runWithSourcedLines(rotated, { sdk: "msal", resource: RESOURCE })).ok, true);

    const refused = await runCli(["identity", "delete", "orders-api-missing", "--data", data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no managed identity 'orders-api-missing'/);
    assert.match(await cli("delete", "orders-api"), /deleted host orders-api/);
    assert.match(await cli("delete", "reports"), /deleted identity/);
    await writeFile(join(data, "done"), "");
  });
});
