import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ApplicationResource, FederatedIdentityCredentialResource } from "../../src/admin/schemas.js";
import { assertGraphError, startAdminHarness, type AdminHarness } from "../admin/helpers.js";

type Entity<T> = T & { "@odata.context": string };
type List<T> = { "@odata.context": string; value: T[] };

const ISSUER = "https://token.actions.githubusercontent.com";

let h: AdminHarness;
let app: ApplicationResource;
before(async () => {
  h = await startAdminHarness();
  const tenant = await h.call("POST", "/v1.0/tenants", { body: { displayName: "Fabrikam" } });
  assert.equal(tenant.status, 201, tenant.text);
  const created = await h.call<ApplicationResource>("POST", "/v1.0/applications", {
    body: { displayName: "Deployer" },
  });
  assert.equal(created.status, 201, created.text);
  app = created.json;
});
after(async () => {
  await h.close();
});

const path = (suffix = "") => `/v1.0/applications/${app.id}/federatedIdentityCredentials${suffix}`;
const add = (body: Record<string, unknown>) =>
  h.call<Entity<FederatedIdentityCredentialResource>>("POST", path(), { body });

describe("federatedIdentityCredentials on applications (Graph)", () => {
  test("create, read by id and by name, list, filter, update and delete", async () => {
    const created = await add({
      name: "github-main",
      issuer: ISSUER,
      subject: "repo:contoso/app:ref:refs/heads/main",
      description: "Deploys from main",
    });
    assert.equal(created.status, 201, created.text);
    const credential = created.json;
    assert.equal(
      credential["@odata.context"],
      `https://graph.microsoft.com/v1.0/$metadata#applications('${app.id}')/federatedIdentityCredentials/$entity`,
    );
    assert.match(credential.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(credential.audiences, ["api://AzureADTokenExchange"], "the default audience");
    assert.equal(credential.description, "Deploys from main");

    const byId = await h.call<FederatedIdentityCredentialResource>("GET", path(`/${credential.id}`));
    assert.equal(byId.status, 200, byId.text);
    assert.equal(byId.json.subject, "repo:contoso/app:ref:refs/heads/main");
    const byName = await h.call<FederatedIdentityCredentialResource>("GET", path("/github-main"));
    assert.equal(byName.json.id, credential.id);
    const byAppId = await h.call<FederatedIdentityCredentialResource>(
      "GET",
      `/v1.0/applications(appId='${app.appId}')/federatedIdentityCredentials/github-main`,
    );
    assert.equal(byAppId.json.id, credential.id);

    await add({ name: "github-pr", issuer: ISSUER, subject: "repo:contoso/app:pull_request" });
    const list = await h.call<List<FederatedIdentityCredentialResource>>("GET", path());
    assert.deepEqual(
      list.json.value.map((c) => c.name),
      ["github-main", "github-pr"],
    );
    const filtered = await h.call<List<FederatedIdentityCredentialResource>>(
      "GET",
      path(`?$filter=${encodeURIComponent("subject eq 'repo:contoso/app:pull_request'")}`),
    );
    assert.deepEqual(
      filtered.json.value.map((c) => c.name),
      ["github-pr"],
    );

    const patched = await h.call("PATCH", path("/github-main"), {
      body: { subject: "repo:contoso/app:environment:production", audiences: ["api://custom-exchange"] },
    });
    assert.equal(patched.status, 204, patched.text);
    const after = await h.call<FederatedIdentityCredentialResource>("GET", path(`/${credential.id}`));
    assert.equal(after.json.subject, "repo:contoso/app:environment:production");
    assert.deepEqual(after.json.audiences, ["api://custom-exchange"]);
    assert.equal(after.json.description, "Deploys from main", "a PATCH keeps what it does not name");

    assert.equal((await h.call("DELETE", path("/github-pr"))).status, 204);
    assertGraphError(await h.call("GET", path("/github-pr")), 404, "Request_ResourceNotFound");
    assertGraphError(await h.call("DELETE", path("/github-pr")), 404, "Request_ResourceNotFound");
  });

  test("Graph's validation: name, issuer, subject, audiences, uniqueness and the limit of 20", async () => {
    const other = await h.call<ApplicationResource>("POST", "/v1.0/applications", { body: { displayName: "Limits" } });
    const at = (suffix = "") => `/v1.0/applications/${other.json.id}/federatedIdentityCredentials${suffix}`;
    const post = (body: Record<string, unknown>) => h.call("POST", at(), { body });
    const valid = { name: "ok-name", issuer: ISSUER, subject: "s" };
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ ...valid, name: "a b" }, /name 'a b' must be 3 to 120 characters/],
      [{ ...valid, name: "x".repeat(121) }, /must be 3 to 120 characters/],
      [{ ...valid, name: "-leading" }, /starting with a letter or digit/],
      [{ ...valid, issuer: "not a url" }, /issuer 'not a url' must be an https URL/],
      [{ ...valid, issuer: "http://issuer.example" }, /http only for loopback/],
      [{ ...valid, issuer: "https://issuer.example/?q=1" }, /without query or fragment/],
      [{ ...valid, subject: "" }, /subject is required/],
      [{ ...valid, subject: "s".repeat(601) }, /subject must be at most 600 characters/],
      [{ ...valid, audiences: [] }, /exactly one value/],
      [{ ...valid, audiences: ["a", "b"] }, /exactly one value/],
      [{ ...valid, description: "d".repeat(601) }, /description must be at most 600/],
      [{ issuer: ISSUER, subject: "s" }, /Property 'name' is required/],
      [{ ...valid, unknown: 1 }, /Property 'unknown' does not exist/],
    ];
    for (const [body, message] of refusals) {
      assert.match(assertGraphError(await post(body), 400, "Request_BadRequest"), message, JSON.stringify(body));
    }
    assert.equal((await post({ ...valid, issuer: "http://127.0.0.1:8080/issuer" })).status, 201, "loopback http");
    assert.match(
      assertGraphError(await post({ ...valid, name: "OK-NAME", subject: "other" }), 400, "Request_BadRequest"),
      /named 'OK-NAME' already exists/,
    );
    await post({ ...valid, name: "second", issuer: ISSUER });
    assert.match(
      assertGraphError(await post({ ...valid, name: "third", subject: "s" }), 400, "Request_BadRequest"),
      /same issuer and subject/,
    );
    assert.match(
      assertGraphError(await h.call("PATCH", at("/second"), { body: { name: "renamed" } }), 400, "Request_BadRequest"),
      /cannot be changed/,
    );
    for (let i = 3; i <= 20; i++) {
      const res = await post({ name: `cred-${i}`, issuer: ISSUER, subject: `subject-${i}` });
      assert.equal(res.status, 201, res.text);
    }
    assert.match(
      assertGraphError(
        await post({ name: "cred-21", issuer: ISSUER, subject: "subject-21" }),
        400,
        "Request_BadRequest",
      ),
      /at most 20 federated identity credentials/,
    );
    // Deleting the application takes its credentials along.
    assert.equal((await h.call("DELETE", `/v1.0/applications/${other.json.id}`)).status, 204);
    assertGraphError(await h.call("GET", at()), 404, "Request_ResourceNotFound");
  });
});
