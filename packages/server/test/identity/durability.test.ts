import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../src/store/store.js";
import { fetchAdminToken, startCliServer } from "../helpers/cli-server.js";

describe("durability", () => {
  it("kill -9 during a burst of admin writes loses no acknowledged write", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-kill-"));
    const server = await startCliServer(dataDir, ["--no-demo", "--log-level", "silent"]);
    try {
      const { token } = await fetchAdminToken(dataDir, server.info.identityUrl);
      const api = (path: string, body: unknown) =>
        fetch(`${server.info.adminUrl}${path}`, {
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
      const killing = server.kill("SIGKILL");
      killed = true;
      await Promise.all([lanes, killing]);

      const store = await Store.open(undefined, dataDir);
      try {
        const ids = new Set((await store.read((repos) => repos.applications.list(tenant.id))).map((a) => a.id));
        const lost = acknowledged.filter((id) => !ids.has(id));
        assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes were lost`);
      } finally {
        await store.close();
      }
    } finally {
      await server.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
