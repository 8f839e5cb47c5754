import type { Core } from "../../server.js";
import { DEFAULT_ROTATION_LEAD_SECONDS, rotateSigningKey } from "../../identity/keys/rotation.js";
import type { IdentityRuntime } from "../../identity/runtime.js";
import { collection } from "../odata.js";
import { ok, operation, type Operation } from "../operations.js";
import { keyRotationRequest, keyRotationResult, signingKey } from "../schemas.js";
import { signingKeyView } from "../views.js";

const TAG = "signing keys";
const SIGNING_KEYS = { set: "signingKeys", type: "gatehouse.signingKey", properties: Object.keys(signingKey.shape) };

/** Token signing keys: the published ones (never private material) and rotation. */
export function signingKeyOperations(core: Core, runtime: IdentityRuntime): Operation[] {
  const published = () => runtime.snapshot().keyRing.published.map((k) => k.kid);

  return [
    operation({
      method: "GET",
      path: "/gatehouse/keys",
      summary: "The signing keys published in the JWKS: the current one, the next ones and those retired recently",
      tag: TAG,
      response: { status: 200, description: "The published keys", schema: signingKey, shape: "collection" },
      handle: async (context) => {
        const { keyRing } = runtime.snapshot();
        const kids = new Set(keyRing.published.map((k) => k.kid));
        const records = await core.store.read((repos) => repos.signingKeys.list());
        const value = records.filter((r) => kids.has(r.kid)).map((r) => signingKeyView(r, keyRing.current().kid));
        return ok(collection(context.request, value, SIGNING_KEYS));
      },
    }),
    operation({
      method: "POST",
      path: "/gatehouse/keys/rotate",
      summary:
        "Create a new signing key, published at once, that signs after leadTimeSeconds (default a day); the previous key stays published",
      tag: TAG,
      body: keyRotationRequest,
      response: {
        status: 200,
        description: "The new key and the published keys",
        schema: keyRotationResult,
        shape: "plain",
      },
      handle: async (context) => {
        const lead = context.body.leadTimeSeconds ?? DEFAULT_ROTATION_LEAD_SECONDS;
        const { kid, activatedAt } = await rotateSigningKey(core.store, core.masterKey, lead);
        await runtime.reload();
        // A reload already running when the key was written may have read the store before it: reload once more.
        if (!published().includes(kid)) await runtime.reload();
        return ok({ kid, activatedDateTime: activatedAt, published: published() });
      },
    }),
  ];
}
