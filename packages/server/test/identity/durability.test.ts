import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readRuntimeInfo } from "../../src/util/runtime-file.js";
import { readAdminClient } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { Store } from "../../src/store/store.js";

const cli = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

describe("durability", () => {
  it("kill -9 during a burst of admin writes loses no acknowledged write", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-kill-"));
    const server = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        cli,
        "start",
        "--data",
        dataDir,
        "--insecure-http",
        "--no-demo",
        "--log-level",
        "silent",
        "--identity-port",
        "0",
        "--admin-port",
        "0",
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise((r) => server.once("exit", r));
    try {
      let info = await readRuntimeInfo(dataDir);
      for (let i = 0; !info && i < 300; i++) {
        await new Promise((r) => setTimeout(r, 100));
        info = await readRuntimeInfo(dataDir);
      }
      assert.ok(info, "server did not start");
      const admin = await readAdminClient(dataDir, await loadMasterKey(dataDir));
      const tokenResponse = await fetch(`${info.identityUrl}/${admin.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: admin.clientId,
          client_secret: admin.clientSecret,
          scope: admin.scope,
        }),
      });
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const api = (path: string, body: unknown) =>
        fetch(`${info.adminUrl}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const tenant = (await (await api("/v1.0/tenants", { displayName: "Durable" })).json()) as { id: string };

      const acknowledged: string[] = [];
      let killed = false;
      const writer = async (lane: number) => {
        for (let i = 0; !killed; i++) {
          try {
            const res = await api(`/${tenant.id}/v1.0/applications`, { displayName: `app-${lane}-${i}` });
            if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
          } catch {
            return; // the connection died with the server
          }
        }
      };
      const lanes = Promise.all([0, 1, 2, 3, 4, 5].map(writer));
      while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 5));
      server.kill("SIGKILL");
      killed = true;
      await lanes;
      await exited;

      const store = await Store.open(undefined, dataDir);
      try {
        const ids = new Set((await store.read((repos) => repos.applications.list(tenant.id))).map((a) => a.id));
        const lost = acknowledged.filter((id) => !ids.has(id));
        assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes were lost`);
      } finally {
        await store.close();
      }
    } finally {
      server.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
