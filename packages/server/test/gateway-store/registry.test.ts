import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databaseTargets } from "../helpers/databases.js";
import { inboundPolicy, openGateway, type GatewayFixture } from "./helpers.js";
import { GatewayConflictError, GatewayNotFoundError, GatewayValidationError } from "../../src/gateway/model/errors.js";
import { DEFAULT_KEY_NAMES } from "../../src/gateway/model/apis/types.js";

const targets = await databaseTargets();

const setHeader = (value: string) =>
  inboundPolicy(`<set-header name="x-value" exists-action="override"><value>${value}</value></set-header>`);
const useBackend = (id: string) => inboundPolicy(`<set-backend-service backend-id="${id}" />`);

const isValidation = (pattern: RegExp) => (e: unknown) =>
  e instanceof GatewayValidationError && pattern.test(e.message);
const isConflict = (pattern: RegExp) => (e: unknown) => e instanceof GatewayConflictError && pattern.test(e.message);
const isNotFound = (kind: string, entity: string) => (e: unknown) =>
  e instanceof GatewayNotFoundError && e.kind === kind && e.entity === entity;

for (const target of targets) {
  describe(`gateway registry on ${target.name}`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    before(async () => {
      f = await openGateway(target);
    });
    after(() => f.close());

    it("creates, replaces, patches and deletes APIs with APIM's defaults", async () => {
      const created = await f.gateway.apis.put("crud", { displayName: "CRUD", path: "/crud/v1/" });
      assert.equal(created.created, true);
      assert.deepEqual(created.api, {
        name: "crud",
        displayName: "CRUD",
        description: null,
        path: "crud/v1",
        serviceUrl: null,
        protocols: ["https"],
        apiType: "http",
        subscriptionRequired: true,
        subscriptionKeyParameterNames: DEFAULT_KEY_NAMES,
      });
      const replaced = await f.gateway.apis.put("crud", {
        displayName: "CRUD 2",
        path: "crud",
        serviceUrl: "http://127.0.0.1:9/base",
        protocols: ["http", "https", "http"],
        apiType: "soap",
        subscriptionRequired: false,
      });
      assert.equal(replaced.created, false);
      assert.deepEqual(replaced.api.protocols, ["http", "https"]);
      const patched = await f.gateway.apis.patch("crud", {
        description: "patched",
        subscriptionKeyParameterNames: { header: "X-Key" },
      });
      assert.equal(patched.displayName, "CRUD 2");
      assert.equal(patched.apiType, "soap");
      assert.deepEqual(patched.subscriptionKeyParameterNames, { header: "X-Key", query: "subscription-key" });
      assert.deepEqual(await f.gateway.apis.get("crud"), patched);
      assert.ok((await f.gateway.apis.list()).some((a) => a.name === "crud"));
      assert.equal(await f.gateway.apis.delete("crud"), true);
      assert.equal(await f.gateway.apis.delete("crud"), false);
      assert.equal(await f.gateway.apis.get("crud"), undefined);
      await assert.rejects(f.gateway.apis.patch("crud", { description: "x" }), isNotFound("Api", "crud"));
    });

    it("refuses bad names and values with the property at fault", async () => {
      for (const name of ["", "has space", "slash/name", ".hidden", "x".repeat(81), "ünï", "a:b"]) {
        await assert.rejects(
          f.gateway.apis.put(name, { displayName: "X", path: `p${name.length}` }),
          isValidation(/Api name .* is invalid/),
          name,
        );
      }
      await f.gateway.apis.put("a.b_c-1", { displayName: "ok", path: "ok-name" });
      const bad: [Parameters<typeof f.gateway.apis.put>[1], RegExp][] = [
        [{ displayName: " ", path: "p1" }, /^displayName is required/],
        [{ displayName: "X", path: "a b" }, /^path /],
        [{ displayName: "X", path: "a/../b" }, /^path /],
        [{ displayName: "X", path: "p2", serviceUrl: "ftp://x" }, /^serviceUrl must be an http or https URL/],
        [{ displayName: "X", path: "p3", serviceUrl: "relative/url" }, /^serviceUrl /],
        [{ displayName: "X", path: "p4", protocols: [] }, /^protocols /],
        [{ displayName: "X", path: "p5", subscriptionKeyParameterNames: { header: "bad header" } }, /header/],
      ];
      for (const [input, pattern] of bad) {
        await assert.rejects(f.gateway.apis.put("bad", input), (e: unknown) => {
          assert.ok(e instanceof GatewayValidationError && pattern.test(e.message), String(e));
          assert.equal(e.details.length, 1);
          return true;
        });
      }
      assert.equal(await f.gateway.apis.get("bad"), undefined);
    });

    it("keeps API paths unique, ignoring case", async () => {
      await f.gateway.apis.put("first", { displayName: "First", path: "Shared/Path" });
      await assert.rejects(
        f.gateway.apis.put("second", { displayName: "Second", path: "/shared/path" }),
        isConflict(/^The path 'shared\/path' of api 'second' is already used by api 'first'\.$/),
      );
      await f.gateway.apis.put("first", { displayName: "First renamed", path: "shared/PATH" });
      await f.gateway.apis.put("second", { displayName: "Second", path: "shared/path/two" });
      await assert.rejects(f.gateway.apis.patch("second", { path: "SHARED/path" }), GatewayConflictError);
    });

    it("turns a race between writers into a conflict", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => f.gateway.apis.put(`racer-${i}`, { displayName: "Racer", path: "race" })),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) {
        if (r.status === "rejected") assert.ok(r.reason instanceof GatewayConflictError, String(r.reason));
      }
    });

    it("manages operations: templates, duplicates and unknown APIs", async () => {
      await f.gateway.apis.put("ops", { displayName: "Ops", path: "ops" });
      const { operation, created } = await f.gateway.operations.put("ops", "get-user", {
        displayName: "Get user",
        method: "get",
        urlTemplate: "/users/{id}",
        responses: [{ statusCode: 200, representations: [{ contentType: "application/json" }] }],
      });
      assert.equal(created, true);
      assert.equal(operation.method, "GET");
      assert.equal((await f.gateway.operations.put("ops", "get-user", { ...operation })).created, false);
      await assert.rejects(
        f.gateway.operations.put("ops", "get-user-2", {
          displayName: "Twin",
          method: "GET",
          urlTemplate: "/USERS/{userId}",
        }),
        isConflict(/^Operation 'get-user' of api 'ops' already has method GET .* so 'get-user-2' cannot/),
      );
      await f.gateway.operations.put("ops", "post-user", {
        displayName: "Post",
        method: "POST",
        urlTemplate: "/users/{id}",
      });
      for (const [urlTemplate, pattern] of [
        ["users", /^urlTemplate must start with '\/'/],
        ["/a/{id}/b/{id}", /names the parameter 'id' twice/],
        ["/files/*/more", /^urlTemplate is invalid/],
        ["/x y", /^urlTemplate /],
      ] as const) {
        await assert.rejects(
          f.gateway.operations.put("ops", "bad", { displayName: "Bad", method: "GET", urlTemplate }),
          isValidation(pattern),
          urlTemplate,
        );
      }
      await assert.rejects(
        f.gateway.operations.put("ops", "bad", { displayName: "Bad", method: "GE T", urlTemplate: "/x" }),
        isValidation(/^method /),
      );
      await assert.rejects(
        f.gateway.operations.put("ops", "bad", {
          displayName: "Bad",
          method: "GET",
          urlTemplate: "/x",
          responses: [{ statusCode: 99 }],
        }),
        isValidation(/responses\[0\]\.statusCode/),
      );
      await assert.rejects(
        f.gateway.operations.put("missing", "op", { displayName: "X", method: "GET", urlTemplate: "/" }),
        isNotFound("Api", "missing"),
      );
      await assert.rejects(f.gateway.operations.list("missing"), isNotFound("Api", "missing"));
      const patched = await f.gateway.operations.patch("ops", "post-user", { description: "creates" });
      assert.equal(patched.urlTemplate, "/users/{id}");
      assert.equal(patched.description, "creates");
      assert.deepEqual(
        (await f.gateway.operations.list("ops")).map((o) => o.name),
        ["get-user", "post-user"],
      );
      assert.equal(await f.gateway.operations.delete("ops", "post-user"), true);
      assert.equal(await f.gateway.operations.get("ops", "post-user"), undefined);
      assert.equal(await f.gateway.operations.delete("ops", "post-user"), false);
    });

    it("validates policies by compiling them, with line and column", async () => {
      await f.gateway.apis.put("pol", { displayName: "Pol", path: "pol" });
      await f.gateway.operations.put("pol", "op", { displayName: "Op", method: "GET", urlTemplate: "/op" });
      assert.deepEqual(await f.gateway.policies.put({ kind: "api", api: "pol" }, setHeader("one")), { created: true });
      assert.deepEqual(await f.gateway.policies.put({ kind: "api", api: "pol" }, setHeader("two")), { created: false });
      assert.equal(await f.gateway.policies.get({ kind: "api", api: "pol" }), setHeader("two"));
      await assert.rejects(
        f.gateway.policies.put(
          { kind: "global" },
          "<policies>\n  <inbound>\n    <not-a-policy />\n  </inbound>\n</policies>",
        ),
        (e: unknown) => {
          assert.ok(e instanceof GatewayValidationError, String(e));
          assert.match(e.message, /not-a-policy.*\(line 3, column 5\)/);
          assert.deepEqual(e.details[0]?.target, "the global policy");
          return true;
        },
      );
      await assert.rejects(
        f.gateway.policies.put({ kind: "global" }, "<policies>\n  <inbound>\n</policies>"),
        isValidation(/line \d+, column \d+/),
      );
      await assert.rejects(
        f.gateway.policies.put({ kind: "global" }, setHeader("{{nothing}}")),
        isValidation(/nothing/),
      );
      await assert.rejects(
        f.gateway.policies.put({ kind: "operation", api: "pol", operation: "nope" }, setHeader("x")),
        isNotFound("Operation", "pol/nope"),
      );
      await assert.rejects(
        f.gateway.policies.put({ kind: "product", product: "nope" }, setHeader("x")),
        isNotFound("Product", "nope"),
      );
      await assert.rejects(f.gateway.policies.get({ kind: "api", api: "nope" }), isNotFound("Api", "nope"));
      const opScope = { kind: "operation", api: "pol", operation: "op" } as const;
      await f.gateway.policies.put(opScope, setHeader("op"));
      assert.equal(await f.gateway.policies.get({ kind: "global" }), undefined);
      assert.equal(await f.gateway.policies.delete(opScope), true);
      assert.equal(await f.gateway.policies.delete(opScope), false);
    });

    it("seals secret named values, refuses deleting one in use and changes that break a policy", async () => {
      await f.gateway.namedValues.put("plain", { value: "plain-value", tags: ["a", "a", "b"] });
      const { namedValue } = await f.gateway.namedValues.put("secret", {
        displayName: "Secret-Name",
        value: "s3cret-named-value",
        secret: true,
      });
      assert.deepEqual(namedValue, { name: "secret", displayName: "Secret-Name", secret: true, tags: [] });
      assert.deepEqual(await f.gateway.namedValues.get("plain"), {
        name: "plain",
        displayName: "plain",
        secret: false,
        tags: ["a", "b"],
        value: "plain-value",
      });
      assert.equal((await f.gateway.namedValues.get("secret"))?.value, null);
      assert.equal(await f.gateway.namedValues.listValue("secret"), "s3cret-named-value");
      await assert.rejects(f.gateway.namedValues.listValue("nope"), isNotFound("NamedValue", "nope"));
      const rows = await f.store.db.selectFrom("gateway_named_values").selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes("s3cret-named-value"), "no plaintext secret at rest");
      await assert.rejects(
        f.gateway.namedValues.put("other", { displayName: "secret-name", value: "x" }),
        isConflict(/displayName 'secret-name' is already used by named value 'secret'/),
      );
      await assert.rejects(
        f.gateway.namedValues.put("bad", { displayName: "no spaces", value: "x" }),
        GatewayValidationError,
      );
      await assert.rejects(f.gateway.namedValues.put("bad", { value: "" }), isValidation(/^value /));

      await f.gateway.apis.put("nv", { displayName: "NV", path: "nv" });
      // Named values are matched case-insensitively.
      await f.gateway.policies.put({ kind: "api", api: "nv" }, setHeader("{{SECRET-name}}"));
      await assert.rejects(f.gateway.namedValues.delete("secret"), isConflict(/policy of api 'nv'/));
      await assert.rejects(f.gateway.namedValues.patch("secret", { displayName: "renamed" }), (e: unknown) => {
        assert.ok(e instanceof GatewayValidationError, String(e));
        assert.match(e.message, /the policy of api 'nv' would no longer load/);
        return true;
      });
      assert.equal((await f.gateway.namedValues.get("secret"))?.displayName, "Secret-Name", "rolled back");
      // A value change that keeps the policy loading is fine; the flag can flip.
      await f.gateway.namedValues.patch("secret", { value: "new-value", secret: false });
      assert.equal((await f.gateway.namedValues.get("secret"))?.value, "new-value");
      await f.gateway.policies.delete({ kind: "api", api: "nv" });
      assert.equal(await f.gateway.namedValues.delete("secret"), true);

      // A load error never shows a secret value, only its reference.
      await f.gateway.namedValues.put("status", { value: "not-a-status-s3cret", secret: true });
      const checkHeader = (code: string) =>
        inboundPolicy(
          `<check-header name="x" failed-check-httpcode="${code}" failed-check-error-message="m" ignore-case="true" />`,
        );
      await assert.rejects(
        f.gateway.policies.put({ kind: "api", api: "nv" }, checkHeader("{{status}}")),
        (e: unknown) => {
          assert.ok(e instanceof GatewayValidationError, String(e));
          assert.ok(!JSON.stringify([e.message, e.details]).includes("s3cret"), e.message);
          assert.match(e.message, /\{\{status\}\}/);
          return true;
        },
      );
      await f.gateway.namedValues.patch("status", { value: "401" });
      await f.gateway.policies.put({ kind: "api", api: "nv" }, checkHeader("{{status}}"));
      await assert.rejects(f.gateway.namedValues.patch("status", { value: "also-s3cret" }), (e: unknown) => {
        assert.ok(e instanceof GatewayValidationError, String(e));
        assert.ok(!JSON.stringify([e.message, e.details]).includes("s3cret"), e.message);
        return true;
      });
      assert.equal(await f.gateway.namedValues.delete("secret"), false);
    });

    it("keeps backends with sealed credentials and refuses deleting one a policy uses", async () => {
      const { backend, created } = await f.gateway.backends.put("be", {
        url: "http://127.0.0.1:7001/soap",
        protocol: "soap",
        credentials: { header: { "x-key": ["backend-credential-value"] } },
      });
      assert.equal(created, true);
      assert.deepEqual(backend, {
        name: "be",
        url: "http://127.0.0.1:7001/soap",
        protocol: "soap",
        title: null,
        description: null,
        credentials: { header: { "x-key": ["backend-credential-value"] } },
        tls: { validateCertificateChain: true, validateCertificateName: true },
      });
      assert.deepEqual(await f.gateway.backends.get("be"), backend);
      const rows = await f.store.db.selectFrom("gateway_backends").selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes("backend-credential-value"));
      const patched = await f.gateway.backends.patch("be", { tls: { validateCertificateName: false }, title: "Be" });
      assert.deepEqual(patched.tls, { validateCertificateChain: true, validateCertificateName: false });
      assert.deepEqual(patched.credentials, backend.credentials);
      await assert.rejects(f.gateway.backends.put("bad", { url: "not a url" }), isValidation(/^url /));

      await f.gateway.apis.put("be-api", { displayName: "BE", path: "be-api" });
      await assert.rejects(
        f.gateway.policies.put({ kind: "api", api: "be-api" }, useBackend("missing")),
        GatewayValidationError,
      );
      await f.gateway.policies.put({ kind: "api", api: "be-api" }, useBackend("be"));
      await assert.rejects(
        f.gateway.backends.delete("be"),
        isConflict(/Backend 'be' is used by the policy of api 'be-api'/),
      );
      assert.ok(await f.gateway.backends.get("be"), "rolled back");
      await f.gateway.apis.delete("be-api");
      assert.equal(await f.gateway.backends.delete("be"), true);
      assert.equal(await f.gateway.backends.delete("be"), false);
    });

    it("links products to APIs, at most one open product per API", async () => {
      await f.gateway.apis.put("p-api", { displayName: "P", path: "p-api" });
      const { product, created } = await f.gateway.products.put("starter", { displayName: "Starter" });
      assert.equal(created, true);
      assert.deepEqual(product, {
        name: "starter",
        displayName: "Starter",
        description: null,
        terms: null,
        state: "notPublished",
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: null,
        apis: [],
      });
      assert.deepEqual(await f.gateway.products.addApi("starter", "p-api"), { created: true });
      assert.deepEqual(await f.gateway.products.addApi("starter", "p-api"), { created: false });
      await assert.rejects(f.gateway.products.addApi("starter", "nope"), isNotFound("Api", "nope"));
      await assert.rejects(f.gateway.products.addApi("nope", "p-api"), isNotFound("Product", "nope"));
      const replaced = await f.gateway.products.put("starter", { displayName: "Starter!", state: "published" });
      assert.deepEqual(replaced.product.apis, ["p-api"], "links survive a replace");

      await f.gateway.products.put("open-1", { displayName: "Open 1", subscriptionRequired: false });
      await f.gateway.products.put("open-2", { displayName: "Open 2", subscriptionRequired: false });
      await f.gateway.products.addApi("open-1", "p-api");
      await assert.rejects(f.gateway.products.addApi("open-2", "p-api"), isConflict(/already in product 'open-1'/));
      await f.gateway.products.put("closed", { displayName: "Closed" });
      await f.gateway.products.addApi("closed", "p-api");
      await assert.rejects(f.gateway.products.patch("closed", { subscriptionRequired: false }), GatewayConflictError);
      await assert.rejects(
        f.gateway.products.put("bad", { displayName: "Bad", subscriptionsLimit: -1 }),
        GatewayValidationError,
      );
      assert.equal(await f.gateway.products.removeApi("open-1", "p-api"), true);
      assert.equal(await f.gateway.products.removeApi("open-1", "p-api"), false);
      await f.gateway.products.addApi("open-2", "p-api");
      assert.deepEqual((await f.gateway.products.get("open-2"))?.apis, ["p-api"]);
    });

    it("generates, seals, lists and regenerates subscription keys", async () => {
      await f.gateway.apis.put("s-api", { displayName: "S", path: "s-api" });
      const { subscription, created } = await f.gateway.subscriptions.put("sub", {
        displayName: "Sub",
        scope: { kind: "api", api: "s-api" },
      });
      assert.equal(created, true);
      assert.equal(subscription.state, "active");
      assert.equal(subscription.allowTracing, false);
      assert.ok(!Number.isNaN(Date.parse(subscription.createdDate)));
      assert.ok(!("primaryKey" in subscription));
      const keys = await f.gateway.subscriptions.listSecrets("sub");
      assert.match(keys.primaryKey, /^[0-9a-f]{32}$/);
      assert.match(keys.secondaryKey, /^[0-9a-f]{32}$/);
      assert.notEqual(keys.primaryKey, keys.secondaryKey);

      const raw = JSON.stringify(await f.store.db.selectFrom("gateway_subscriptions").selectAll().execute());
      assert.ok(!raw.includes(keys.primaryKey) && !raw.includes(keys.secondaryKey), "no plaintext key at rest");
      // A sealed key moved to another column or row does not open: the aad binds it.
      await f.store.db
        .updateTable("gateway_subscriptions")
        .set((eb) => ({ secondary_key: eb.ref("primary_key") }))
        .where("name", "=", "sub")
        .execute();
      await assert.rejects(f.gateway.subscriptions.listSecrets("sub"), /could not be opened/);
      await f.gateway.subscriptions.put("sub", { displayName: "Sub", scope: { kind: "api", api: "s-api" }, ...keys });

      await f.gateway.subscriptions.regenerateKey("sub", "secondary");
      const regenerated = await f.gateway.subscriptions.listSecrets("sub");
      assert.equal(regenerated.primaryKey, keys.primaryKey);
      assert.notEqual(regenerated.secondaryKey, keys.secondaryKey);
      assert.match(regenerated.secondaryKey, /^[0-9a-f]{32}$/);

      // Replacing or patching without keys keeps them; createdDate is kept too.
      const replaced = await f.gateway.subscriptions.put("sub", { displayName: "Renamed", scope: { kind: "allApis" } });
      assert.equal(replaced.subscription.createdDate, subscription.createdDate);
      await f.gateway.subscriptions.patch("sub", { state: "suspended", expirationDate: "2030-01-01" });
      assert.deepEqual(await f.gateway.subscriptions.listSecrets("sub"), regenerated);
      const patched = await f.gateway.subscriptions.get("sub");
      assert.equal(patched?.state, "suspended");
      assert.equal(patched?.expirationDate, "2030-01-01T00:00:00.000Z");
      assert.deepEqual(patched?.scope, { kind: "allApis" });

      await f.gateway.subscriptions.put("given", {
        displayName: "Given",
        scope: { kind: "allApis" },
        primaryKey: "given-primary-key",
        secondaryKey: "given-secondary-key",
      });
      assert.deepEqual(await f.gateway.subscriptions.listSecrets("given"), {
        primaryKey: "given-primary-key",
        secondaryKey: "given-secondary-key",
      });
      await assert.rejects(
        f.gateway.subscriptions.put("thief", {
          displayName: "T",
          scope: { kind: "allApis" },
          secondaryKey: "given-primary-key",
        }),
        isConflict(/already used by another subscription/),
      );
      await assert.rejects(
        f.gateway.subscriptions.patch("sub", { primaryKey: "has space" }),
        isValidation(/^primaryKey /),
      );
      await assert.rejects(
        f.gateway.subscriptions.put("bad", { displayName: "B", scope: { kind: "product", product: "nope" } }),
        isValidation(/scope '\/products\/nope'/),
      );
      await assert.rejects(
        f.gateway.subscriptions.put("bad", {
          displayName: "B",
          scope: { kind: "allApis" },
          state: "weird" as "active",
        }),
        isValidation(/^state /),
      );
      await assert.rejects(f.gateway.subscriptions.listSecrets("nope"), isNotFound("Subscription", "nope"));
      await assert.rejects(
        f.gateway.subscriptions.regenerateKey("nope", "primary"),
        isNotFound("Subscription", "nope"),
      );
      assert.equal(await f.gateway.subscriptions.delete("given"), true);
      assert.equal(await f.gateway.subscriptions.delete("given"), false);
    });

    it("deleting an API or a product takes what depends on it along", async () => {
      await f.gateway.apis.put("gone_1", { displayName: "Gone", path: "gone_1" });
      await f.gateway.apis.put("goneX1", { displayName: "Similar name", path: "gone-x1" });
      await f.gateway.operations.put("gone_1", "op", { displayName: "Op", method: "GET", urlTemplate: "/" });
      await f.gateway.operations.put("goneX1", "op", { displayName: "Op", method: "GET", urlTemplate: "/" });
      await f.gateway.policies.put({ kind: "api", api: "gone_1" }, setHeader("a"));
      await f.gateway.policies.put({ kind: "operation", api: "gone_1", operation: "op" }, setHeader("b"));
      // "goneX1/op" would match a careless LIKE 'gone_1/%' (underscore is a wildcard); it must survive.
      await f.gateway.policies.put({ kind: "operation", api: "goneX1", operation: "op" }, setHeader("c"));
      await f.gateway.products.put("keeps", { displayName: "Keeps" });
      await f.gateway.products.addApi("keeps", "gone_1");
      await f.gateway.subscriptions.put("api-sub", { displayName: "A", scope: { kind: "api", api: "gone_1" } });
      await f.gateway.subscriptions.put("product-sub", {
        displayName: "P",
        scope: { kind: "product", product: "keeps" },
      });

      assert.equal(await f.gateway.apis.delete("gone_1"), true);
      const policies = await f.store.db.selectFrom("gateway_policies").select(["scope_kind", "scope_key"]).execute();
      assert.ok(!policies.some((p) => p.scope_key === "gone_1" || p.scope_key === "gone_1/op"));
      assert.ok(policies.some((p) => p.scope_key === "goneX1/op"));
      assert.deepEqual(
        await f.store.db.selectFrom("gateway_operations").selectAll().where("api", "=", "gone_1").execute(),
        [],
      );
      assert.deepEqual((await f.gateway.products.get("keeps"))?.apis, []);
      assert.equal(await f.gateway.subscriptions.get("api-sub"), undefined);
      assert.ok(await f.gateway.subscriptions.get("product-sub"));

      await f.gateway.products.addApi("keeps", "goneX1");
      await f.gateway.policies.put({ kind: "product", product: "keeps" }, setHeader("p"));
      assert.equal(await f.gateway.products.delete("keeps"), true);
      assert.equal(await f.gateway.subscriptions.get("product-sub"), undefined);
      assert.deepEqual(
        await f.store.db.selectFrom("gateway_product_apis").selectAll().where("product", "=", "keeps").execute(),
        [],
      );
      assert.ok(
        !(await f.store.db.selectFrom("gateway_policies").select("scope_key").execute()).some(
          (p) => p.scope_key === "keeps",
        ),
      );
      assert.ok(await f.gateway.apis.get("goneX1"));
      assert.equal(await f.gateway.products.delete("keeps"), false);
    });

    it("tells listeners after each commit, not after a refused change", async () => {
      let calls = 0;
      const unsubscribe = f.gateway.subscribe(() => {
        calls += 1;
      });
      const revision = await f.store.revision();
      await f.gateway.apis.put("heard", { displayName: "Heard", path: "heard" });
      assert.equal(calls, 1);
      assert.equal(await f.store.revision(), revision + 1);
      await assert.rejects(f.gateway.apis.put("heard-2", { displayName: "Dup", path: "heard" }), GatewayConflictError);
      assert.equal(calls, 1);
      assert.equal(await f.store.revision(), revision + 1);
      unsubscribe();
      await f.gateway.apis.delete("heard");
      assert.equal(calls, 1);
    });

    it("loads the whole configuration for the data plane, unsealed, at one revision", async () => {
      await f.gateway.namedValues.put("cfg-secret", { value: "cfg-secret-value", secret: true });
      await f.gateway.subscriptions.put("cfg-sub", { displayName: "C", scope: { kind: "allApis" } });
      const keys = await f.gateway.subscriptions.listSecrets("cfg-sub");
      const config = await f.gateway.configuration();
      assert.equal(config.revision, await f.store.revision());
      assert.deepEqual(
        config.subscriptions.find((s) => s.name === "cfg-sub"),
        { ...(await f.gateway.subscriptions.get("cfg-sub")), ...keys },
      );
      assert.equal(config.namedValues.find((nv) => nv.name === "cfg-secret")?.value, "cfg-secret-value");
      assert.deepEqual(config, await f.gateway.configuration());
    });
  });
}
