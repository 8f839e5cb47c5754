/**
 * Finding 8 of the hardening issue: the data folder and the files holding secrets were readable by other users. The
 * folder is now 0700; the master key, the SQLite database and its -wal/-shm, the TLS keys and the sealed credential
 * files 0600; a folder left by an earlier version with wider modes is tightened at the next start.
 */
import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EXAMPLE_CONFIG, startTestGatehouse } from "../helpers/gatehouse.js";
import { writeRuntimeInfo } from "../../src/util/runtime-file.js";

const PRIVATE_FILES = ["master.key", "gatehouse.db", "gatehouse.db-wal", "gatehouse.db-shm", "admin-client.json"];
/** Written once the application tenant exists (the example configuration's Contoso). */
const GATEWAY_IDENTITY = "gateway-identity.json";
const TLS_KEYS = ["tls/ca-key.pem", "tls/server-key.pem"];

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function assertPrivate(dataDir: string): Promise<void> {
  assert.equal((await modeOf(dataDir)).toString(8), "700", "the data folder");
  assert.equal((await modeOf(join(dataDir, "tls"))).toString(8), "700", "the TLS folder");
  for (const file of [...PRIVATE_FILES, ...TLS_KEYS]) {
    assert.equal((await modeOf(join(dataDir, file))).toString(8), "600", file);
  }
}

describe("modes of the data folder and its files", () => {
  let parent: string;

  before(async () => {
    parent = await mkdtemp(join(tmpdir(), "gatehouse-modes-"));
  });
  after(() => rm(parent, { recursive: true, force: true }));

  it("creates the data folder 0700 and the database, its -wal and -shm, the keys and sealed files 0600", async () => {
    const dataDir = join(parent, "fresh");
    const gh = await startTestGatehouse({ dataDir, keepData: true });
    try {
      await assertPrivate(dataDir);
      // Nothing else in the folder is open to group or others, except the CA certificate clients read.
      for (const entry of await readdir(dataDir, { recursive: true })) {
        if (entry === "tls/ca.pem" || entry === "tls/server.pem") continue;
        const mode = await modeOf(join(dataDir, entry));
        assert.equal(mode & 0o077, 0, `${entry} is ${mode.toString(8)}`);
      }
    } finally {
      await gh.stop();
    }
  });

  it("tightens a folder and files an earlier version left with wider modes", async () => {
    const dataDir = join(parent, "widened");
    await (await startTestGatehouse({ dataDir, keepData: true })).stop();
    await (await startTestGatehouse({ dataDir, keepData: true, config: EXAMPLE_CONFIG })).stop();
    await chmod(dataDir, 0o755);
    await chmod(join(dataDir, "tls"), 0o755);
    for (const file of [...PRIVATE_FILES, ...TLS_KEYS, GATEWAY_IDENTITY]) {
      await chmod(join(dataDir, file), 0o644).catch(() => undefined);
    }
    // -wal and -shm may be gone after a clean close: leave wide ones for the next start to find.
    await writeFile(join(dataDir, "gatehouse.db-wal"), "", { flag: "a", mode: 0o644 });
    await chmod(join(dataDir, "gatehouse.db-wal"), 0o644);

    const gh = await startTestGatehouse({ dataDir, keepData: true, config: EXAMPLE_CONFIG });
    try {
      await assertPrivate(dataDir);
      assert.equal((await modeOf(join(dataDir, GATEWAY_IDENTITY))).toString(8), "600", GATEWAY_IDENTITY);
    } finally {
      await gh.stop();
    }
  });

  it("writes runtime.json 0600, also over a file left with a wider mode", async () => {
    const dataDir = await mkdtemp(join(parent, "runtime-"));
    const path = join(dataDir, "runtime.json");
    await writeFile(path, "{}", { mode: 0o644 });
    await chmod(path, 0o644);
    await writeRuntimeInfo(dataDir, {
      pid: process.pid,
      identityUrl: "https://localhost:1",
      adminUrl: "https://localhost:2",
      gatewayUrl: "https://localhost:3",
    });
    assert.equal((await modeOf(path)).toString(8), "600");
  });
});
