import type { GatewayRegistry } from "../../../gateway/registry.js";
import { ok, operation, type Operation } from "../../operations.js";
import { API_VERSION } from "../arm.js";
import { crudOperations } from "../crud.js";
import { armErrors } from "../errors.js";
import {
  namedValueCollection,
  namedValueContract,
  namedValuePatch,
  namedValuePut,
  namedValueSecret,
} from "../schemas.js";
import { namedValueProperties } from "../views.js";

const TAG = "apim: namedValues";

/** The registry's writes answer without the value; the resource shows plain values. */
async function withValue(gateway: GatewayRegistry, name: string) {
  const namedValue = await gateway.getNamedValue(name);
  if (!namedValue) throw armErrors.notFound("NamedValue");
  return namedValue;
}

/** APIM's named values (`{{displayName}}` in policies); secret values only through listValue. */
export function namedValueOperations(gateway: GatewayRegistry): Operation[] {
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
        const listed = await gateway.listNamedValues();
        const all = await Promise.all(
          listed.map((nv) => (nv.secret ? { ...nv, value: null } : gateway.getNamedValue(nv.name))),
        );
        return all.filter((nv) => nv !== undefined);
      },
      get: (_context, name) => gateway.getNamedValue(name),
      put: async (_context, name, properties) => {
        const { created } = await gateway.putNamedValue(name, properties);
        return { item: await withValue(gateway, name), created };
      },
      patch: async (_context, name, properties) => {
        await gateway.patchNamedValue(name, properties);
        return withValue(gateway, name);
      },
      remove: (_context, name) => gateway.deleteNamedValue(name),
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
        ok({ value: await gateway.namedValueValue(context.param("namedValueId")) }, { "cache-control": "no-store" }),
    }),
  ];
}
