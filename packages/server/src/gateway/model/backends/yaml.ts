import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { byName, entriesOf, located } from "../../../config/gateway-plan.js";
import { optionalMember } from "../../../config/export-members.js";
import { entityYamlOf } from "../definition.js";
import { backendFrom } from "./validation.js";

const stringLists = z.record(z.string().min(1), z.array(z.string()));

const backendEntry = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  protocol: z.enum(["http", "soap"]).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  credentials: z
    .strictObject({
      header: stringLists.optional(),
      query: stringLists.optional(),
      authorization: z.strictObject({ scheme: z.string().min(1), parameter: z.string() }).optional(),
      certificateIds: z.array(z.string().min(1)).optional(),
      certificate: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  tls: z
    .strictObject({
      validateCertificateChain: z.boolean().optional(),
      validateCertificateName: z.boolean().optional(),
    })
    .optional(),
});

/** `backends:`, credentials included (they may refer to named values, as `{{name}}`). */
export const entityYaml = entityYamlOf(
  { backends: z.array(backendEntry).optional() },
  {
    async plan(section, plan) {
      const stored = byName(plan.current.backends);
      for (const [where, { name, ...input }] of entriesOf("backends", section.backends)) {
        const wanted = located(where, () => backendFrom(name, input));
        const existing = stored.get(name);
        if (isDeepStrictEqual(existing, wanted)) continue;
        plan.add("backends", {
          where,
          changes: [`${existing ? "updated" : "created"} backend ${name}`],
          run: async (tx) => void (await tx.backends.put(name, input)),
        });
      }
    },
    export: (current) => ({
      backends: current.backends.map((b) => ({
        name: b.name,
        url: b.url,
        protocol: b.protocol,
        ...optionalMember("title", b.title),
        ...optionalMember("description", b.description),
        ...(b.credentials ? { credentials: b.credentials } : {}),
        tls: b.tls,
      })),
    }),
  },
);
