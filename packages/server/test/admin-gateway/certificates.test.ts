import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestCa, type TestCa, type Issued } from "../gateway-tracing/test-ca.js";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { pfxOf } from "../helpers/pfx.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "./helpers.js";

let h: AdminHarness;
let ca: TestCa;
let client: Issued;
let pfx: string;
const PASSWORD = "Pfx-Pass-2031!";

before(async () => {
  h = await startAdminHarness();
  ca = await createTestCa();
  client = await ca.issue({ subject: "CN=orders-client, O=Contoso" });
  pfx = pfxOf(client.key, client.cert, PASSWORD, { chain: ca.cert }).toString("base64");
});
after(async () => {
  await h.close();
});

interface CertificateProperties {
  subject: string;
  thumbprint: string;
  expirationDate: string;
}

const expiration = (issued: Issued) => new Date(issued.x509.validTo).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("ARM certificates", () => {
  test("PUT a PFX with its password: 201, then the subject, thumbprint and expiration, never the data", async () => {
    const created = await put<CertificateProperties>(h, `${ARM}/certificates/orders-client`, {
      properties: { data: pfx, password: PASSWORD },
    });
    assert.deepEqual(created, {
      id: `${ARM}/certificates/orders-client`,
      type: "Microsoft.ApiManagement/service/certificates",
      name: "orders-client",
      properties: {
        subject: "CN=orders-client, O=Contoso",
        thumbprint: client.thumbprint,
        expirationDate: expiration(client),
      },
    });
    const read = await h.call<Resource<CertificateProperties>>("GET", `${ARM}/certificates/orders-client`);
    assert.deepEqual(read.json, created);
    const list = await h.call<Page<CertificateProperties>>("GET", `${SHORT}/certificates`);
    assert.deepEqual(
      list.json.value.map((c) => c.properties.thumbprint),
      [client.thumbprint],
    );
    for (const text of [read.text, list.text]) {
      assert.doesNotMatch(text, /PRIVATE KEY|BEGIN|Pfx-Pass/);
      assert.ok(!text.includes(pfx.slice(100, 160)));
    }
    // Replaced by a file in the older Windows format: 200.
    const windows = pfxOf(client.key, client.cert, PASSWORD, { windows: true }).toString("base64");
    await put(h, `${SHORT}/certificates/orders-client`, { properties: { data: windows, password: PASSWORD } }, 200);
    assert.equal((await h.call("HEAD", `${SHORT}/certificates/orders-client`)).status, 200);
  });

  test("PEM (a Gatehouse extension): the certificate alone, or with its key", async () => {
    const issuer = await put<CertificateProperties>(h, `${SHORT}/certificates/partner-ca`, {
      properties: { data: ca.cert },
    });
    assert.equal(issuer.properties.thumbprint, ca.thumbprint);
    const withKey = await put<CertificateProperties>(h, `${SHORT}/certificates/pem-client`, {
      properties: { data: `${client.key}\n${client.cert}` },
    });
    assert.equal(withKey.properties.thumbprint, client.thumbprint);
  });

  test("a wrong password, a file that is no PFX, and missing data: 400 naming the property", async () => {
    const wrong = await h.call("PUT", `${SHORT}/certificates/bad`, {
      body: { properties: { data: pfx, password: "nope" } },
    });
    const wrongError = assertArmError(wrong, 400, "ValidationError");
    assert.equal(wrongError.message, "The specified network password is not correct.");
    assert.equal(wrongError.details[0]?.target, "password");
    assert.doesNotMatch(wrong.text, /nope/);

    const notPfx = await h.call("PUT", `${SHORT}/certificates/bad`, {
      body: { properties: { data: Buffer.from("not a certificate at all").toString("base64"), password: "x" } },
    });
    const notPfxError = assertArmError(notPfx, 400, "ValidationError");
    assert.equal(notPfxError.details[0]?.target, "data");
    assert.match(notPfxError.message, /^data is not a PFX \(PKCS#12\) file Gatehouse can read/);

    const notBase64 = await h.call("PUT", `${SHORT}/certificates/bad`, { body: { properties: { data: "%%%" } } });
    assert.match(assertArmError(notBase64, 400, "ValidationError").message, /^data must be a base64-encoded PFX/);

    const missing = await h.call("PUT", `${SHORT}/certificates/bad`, { body: { properties: {} } });
    assert.equal(assertArmError(missing, 400, "ValidationError").details[0]?.target, "data");

    const keyVault = await h.call("PUT", `${SHORT}/certificates/bad`, {
      body: { properties: { keyVault: { secretIdentifier: "https://kv.vault.azure.net/secrets/cert" } } },
    });
    assert.equal(assertArmError(keyVault, 400, "ValidationError").details[0]?.target, "keyVault");
    const vaultValue = await h.call("PUT", `${SHORT}/namedValues/from-vault`, {
      body: {
        properties: {
          displayName: "from-vault",
          secret: true,
          keyVault: { secretIdentifier: "https://kv.vault.azure.net/secrets/x" },
        },
      },
    });
    const vaultError = assertArmError(vaultValue, 400, "ValidationError");
    assert.equal(vaultError.details[0]?.target, "keyVault");
    assert.match(vaultError.message, /^Property 'keyVault' is not supported: Gatehouse has no Key Vault/);

    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/certificates/bad`), 404, "ResourceNotFound").message,
      "Certificate not found.",
    );
    assert.equal(
      (await h.call("PATCH", `${SHORT}/certificates/orders-client`, { body: { properties: {} } })).status,
      405,
    );
  });

  test("backends present certificates by id or thumbprint; a certificate in use cannot be deleted", async () => {
    const backend = await put<{ credentials: Record<string, string[]> }>(h, `${SHORT}/backends/orders`, {
      properties: { url: "https://orders.internal", credentials: { certificateIds: ["orders-client"] } },
    });
    assert.deepEqual(backend.properties.credentials, { certificateIds: ["orders-client"] });
    const byThumbprint = await put<{ credentials: Record<string, string[]> }>(h, `${SHORT}/backends/legacy`, {
      properties: { url: "https://legacy.internal", credentials: { certificate: [client.thumbprint.toLowerCase()] } },
    });
    assert.deepEqual(byThumbprint.properties.credentials, { certificate: [client.thumbprint] });

    const unknown = await h.call("PUT", `${SHORT}/backends/broken`, {
      body: { properties: { url: "https://x.internal", credentials: { certificateIds: ["nope"] } } },
    });
    assert.match(assertArmError(unknown, 400, "ValidationError").message, /Certificate 'nope' does not exist/);
    const keyless = await h.call("PUT", `${SHORT}/backends/broken`, {
      body: { properties: { url: "https://x.internal", credentials: { certificateIds: ["partner-ca"] } } },
    });
    assert.match(assertArmError(keyless, 400, "ValidationError").message, /has no private key/);

    const inUse = await h.call("DELETE", `${SHORT}/certificates/orders-client`);
    assert.match(
      assertArmError(inUse, 409, "Conflict").message,
      /^Certificate 'orders-client' is used by backend '(legacy|orders)'/,
    );

    await put(h, `${SHORT}/apis/orders`, { properties: { displayName: "Orders", path: "orders" } });
    const policy = `<policies><inbound><base /><authentication-certificate certificate-id="pem-client" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    await put(h, `${SHORT}/apis/orders/policies/policy`, { properties: { format: "rawxml", value: policy } });
    const usedByPolicy = await h.call("DELETE", `${SHORT}/certificates/pem-client`);
    assert.match(assertArmError(usedByPolicy, 409, "Conflict").message, /used by the policy of api 'orders'/);
    const unknownInPolicy = await h.call("PUT", `${SHORT}/apis/orders/policies/policy`, {
      body: { properties: { format: "rawxml", value: policy.replace("pem-client", "missing") } },
    });
    assert.match(
      assertArmError(unknownInPolicy, 400, "ValidationError").message,
      /Certificate 'missing' does not exist/,
    );

    // Replacing a certificate with one the backends can no longer present is refused too.
    const swap = await h.call("PUT", `${SHORT}/certificates/orders-client`, {
      body: { properties: { data: ca.cert } },
    });
    assert.match(assertArmError(swap, 409, "Conflict").message, /cannot change this way/);

    assert.equal((await h.call("DELETE", `${SHORT}/backends/orders`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/backends/legacy`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/certificates/orders-client`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/certificates/orders-client`)).status, 204);
  });
});
