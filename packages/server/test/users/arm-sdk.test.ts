/** Users, groups, memberships, product visibility and owned subscriptions through Microsoft's own ARM SDK. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { ApiManagementClient } from "@azure/arm-apimanagement";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { KeptNotices } from "./links.js";

const RG = "rg1";
const SERVICE = "apim1";
let gh: TestGatehouse;
let client: ApiManagementClient;
const notices = new KeptNotices();

const notFound = (error: { statusCode?: number }) => {
  assert.equal(error.statusCode, 404);
  return true;
};

const all = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
};

before(async () => {
  gh = await startTestGatehouse({ overrides: { demo: false, notifier: notices } });
  const token = await gh.adminToken();
  const credential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  client = new ApiManagementClient(credential, "00000000-0000-0000-0000-000000000000", {
    endpoint: gh.adminUrl,
    tlsOptions: { ca: await readFile(gh.caPath ?? "") },
  });
});
after(async () => {
  await gh.stop();
});

describe("@azure/arm-apimanagement against the admin listener", () => {
  test("users, groups, members, product groups and owned subscriptions", async () => {
    const user = await client.user.createOrUpdate(RG, SERVICE, "dev", {
      email: "dev@contoso.example",
      firstName: "Dana",
      lastName: "Dev",
      password: "sdk password 1",
      note: "from the SDK",
    });
    assert.equal(user.name, "dev");
    assert.equal(user.state, "active");
    assert.deepEqual(user.identities, [{ provider: "Basic", id: "dev@contoso.example" }]);
    assert.deepEqual(
      user.groups?.map((g) => g.displayName),
      ["Developers"],
    );
    const tag = await client.user.getEntityTag(RG, SERVICE, "dev");
    assert.ok(tag.eTag);
    await client.user.update(RG, SERVICE, "dev", tag.eTag ?? "*", { note: "updated" });
    assert.equal((await client.user.get(RG, SERVICE, "dev")).note, "updated");
    assert.deepEqual(
      (await all(client.user.listByService(RG, SERVICE))).map((u) => u.name),
      ["1", "dev"],
    );
    assert.deepEqual(await all(client.userIdentities.list(RG, SERVICE, "dev")), [
      { provider: "Basic", id: "dev@contoso.example" },
    ]);
    const token = await client.user.getSharedAccessToken(RG, SERVICE, "dev", {
      keyType: "primary",
      expiry: new Date(Date.now() + 3600_000),
    });
    assert.match(token.value ?? "", /^dev&\d{12}&[A-Za-z0-9+/]{86}==$/);
    await client.userConfirmationPassword.send(RG, SERVICE, "dev");
    assert.match(notices.lastLink("dev"), /confirm-password#userid=dev&/);

    const group = await client.group.createOrUpdate(RG, SERVICE, "partners", {
      displayName: "Partners",
      description: "Contoso's partners",
    });
    assert.equal(group.builtIn, false);
    assert.equal(group.typePropertiesType, "custom");
    const builtIn = await client.group.get(RG, SERVICE, "administrators");
    assert.equal(builtIn.builtIn, true);
    await client.groupUser.create(RG, SERVICE, "partners", "dev");
    assert.equal((await client.groupUser.checkEntityExists(RG, SERVICE, "partners", "dev")).body, true);
    assert.deepEqual(
      (await all(client.groupUser.list(RG, SERVICE, "partners"))).map((u) => u.name),
      ["dev"],
    );
    assert.deepEqual(
      (await all(client.userGroup.list(RG, SERVICE, "dev"))).map((g) => g.name),
      ["developers", "partners"],
    );

    await client.product.createOrUpdate(RG, SERVICE, "starter", { displayName: "Starter", state: "published" });
    assert.deepEqual(
      (await all(client.productGroup.listByProduct(RG, SERVICE, "starter"))).map((g) => g.name),
      ["administrators"],
    );
    await client.productGroup.createOrUpdate(RG, SERVICE, "starter", "partners");
    assert.equal((await client.productGroup.checkEntityExists(RG, SERVICE, "starter", "partners")).body, true);
    await client.productGroup.delete(RG, SERVICE, "starter", "partners");
    // A 404 is the answer "no", which the SDK reports as an error.
    await assert.rejects(client.productGroup.checkEntityExists(RG, SERVICE, "starter", "partners"), notFound);

    const subscription = await client.subscription.createOrUpdate(RG, SERVICE, "dev-starter", {
      displayName: "Dev's starter",
      scope: "/products/starter",
      ownerId: "/users/dev",
    });
    assert.equal(subscription.ownerId, "/users/dev");
    const owned = await all(client.userSubscription.list(RG, SERVICE, "dev"));
    assert.deepEqual(
      owned.map((s) => s.name),
      ["dev-starter"],
    );
    assert.equal((await client.userSubscription.get(RG, SERVICE, "dev", "dev-starter")).displayName, "Dev's starter");
    const keys = await client.subscription.listSecrets(RG, SERVICE, "dev-starter");
    assert.match(keys.primaryKey ?? "", /^[0-9a-f]{32}$/);

    await client.groupUser.delete(RG, SERVICE, "partners", "dev");
    await client.user.beginDeleteAndWait(RG, SERVICE, "dev", "*", { deleteSubscriptions: true });
    await assert.rejects(client.subscription.get(RG, SERVICE, "dev-starter"), notFound);
  });
});
