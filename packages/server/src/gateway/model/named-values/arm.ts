import { ok, operation, type Operation } from "../../../admin/operations.js";
import { API_VERSION, type ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import {
  namedValueCollection,
  namedValueContract,
  namedValuePatch,
  namedValuePut,
  namedValueSecret,
  type NamedValueResource,
} from "./arm-schemas.js";
import type { NamedValue } from "./types.js";

const TAG = "apim: namedValues";

/** The named value's ARM `properties`: the value only when it is not secret (APIM: read those with listValue). */
export function namedValueProperties(
  namedValue: NamedValue & { value: string | null },
): ArmProperties<NamedValueResource> {
  return {
    displayName: namedValue.displayName,
    ...(namedValue.secret || namedValue.value === null ? {} : { value: namedValue.value }),
    secret: namedValue.secret,
    tags: [...namedValue.tags],
  };
}

/** The registry's writes answer without the value; the resource shows plain values. */
async function withValue(gateway: GatewayRegistry, name: string) {
  const namedValue = await gateway.namedValues.get(name);
  if (!namedValue) throw armErrors.notFound("NamedValue");
  return namedValue;
}

/**
 * Key Vault–backed named values are refused naming the property: Gatehouse reaches no Key Vault, and a value that
 * silently stayed empty would only fail later, in a policy.
 */
function refuseKeyVault(keyVault: { secretIdentifier?: string | undefined } | null | undefined): void {
  if (!keyVault?.secretIdentifier) return;
  throw armErrors.validation(
    "Property 'keyVault' is not supported: Gatehouse has no Key Vault; give the secret itself as 'value' with 'secret': true.",
    "keyVault",
  );
}

/** APIM's named values (`{{displayName}}` in policies); secret values only through listValue. */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return [
    ...crudOperations({
      tag: TAG,
      noun: "named value",
      collection: "/namedValues",
      param: "namedValueId",
      type: "namedValues",
      kind: "NamedValue",
      schemas: {
        put: namedValuePut,
        patch: namedValuePatch,
        resource: namedValueContract,
        list: namedValueCollection,
      },
      filterable: ["name", "displayName"],
      // The list carries plain values too, as APIM's does; the registry lists them without.
      list: async () => {
        const listed = await gateway.namedValues.list();
        const all = await Promise.all(
          listed.map((nv) => (nv.secret ? { ...nv, value: null } : gateway.namedValues.get(nv.name))),
        );
        return all.filter((nv) => nv !== undefined);
      },
      get: (_context, name) => gateway.namedValues.get(name),
      put: async (_context, name, { keyVault, value, ...properties }) => {
        refuseKeyVault(keyVault);
        if (value === undefined) throw armErrors.validation("value is required.", "value");
        const { created } = await gateway.namedValues.put(name, { ...properties, value });
        return { item: await withValue(gateway, name), created };
      },
      patch: async (_context, name, { keyVault, ...properties }) => {
        refuseKeyVault(keyVault);
        await gateway.namedValues.patch(name, properties);
        return withValue(gateway, name);
      },
      remove: (_context, name) => gateway.namedValues.delete(name),
      nameOf: (namedValue) => namedValue.name,
      view: namedValueProperties,
    }),
    operation({
      method: "POST",
      path: "/namedValues/{namedValueId}/listValue",
      summary: "The named value's value, secret or not",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The value", schema: namedValueSecret },
      handle: async (context) =>
        ok(
          { value: await gateway.namedValues.listValue(context.param("namedValueId")) },
          { "cache-control": "no-store" },
        ),
    }),
  ];
}
