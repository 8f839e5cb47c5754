import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../../../config/errors.js";
import { byName, entriesOf, located, sameSecret } from "../../../config/gateway-plan.js";
import { entityYamlOf } from "../definition.js";
import type { CertificateInput, CertificateWithMaterial } from "./types.js";
import { certificateDataOf, certificateFrom } from "./validation.js";

const certificateEntry = z.strictObject({
  name: z.string().min(1),
  /** A PFX (or PEM) file, relative to the configuration file. */
  file: z.string().min(1).optional(),
  /** Base64 of a PFX file, or PEM text. */
  data: z.string().min(1).optional(),
  password: z.string().optional(),
  /** What an export writes instead of the data: applied, it keeps the stored certificate if it has this thumbprint. */
  thumbprint: z.string().min(1).optional(),
});
type CertificateEntry = z.output<typeof certificateEntry>;

const normalThumbprint = (thumbprint: string) => thumbprint.replace(/[\s:]/g, "").toUpperCase();

/**
 * `certificates:`, each from a file or base64 data with its password (from `${ENV}`, as every value may be). An export
 * writes only the name and thumbprint: the private material never leaves the store. Applying such an entry keeps the
 * stored certificate when its thumbprint matches, and is refused, saying what to add, when there is none.
 */
export const entityYaml = entityYamlOf(
  { certificates: z.array(certificateEntry).optional() },
  {
    check: (section) =>
      (section.certificates ?? []).find((entry) => entry.file !== undefined && entry.data !== undefined) &&
      "a certificate takes either 'file' or 'data', not both",
    async plan(section, plan) {
      const stored = byName(plan.current.certificates);
      for (const [where, entry] of entriesOf("certificates", section.certificates)) {
        const existing = stored.get(entry.name);
        const input = await inputOf(entry, plan.baseDir, where);
        if (input === undefined) {
          keepStored(where, entry, existing);
          continue;
        }
        const wanted = located(where, () => certificateFrom(entry.name, input));
        if (entry.thumbprint !== undefined && normalThumbprint(entry.thumbprint) !== wanted.thumbprint) {
          throw new ConfigError(
            `${where}: the certificate's thumbprint is ${wanted.thumbprint}, not ${entry.thumbprint}`,
          );
        }
        if (existing && sameMaterial(existing, wanted)) continue;
        plan.add("certificates", {
          where,
          changes: [`${existing ? "updated" : "created"} certificate ${entry.name} (${wanted.thumbprint})`],
          run: async (tx) => void (await tx.certificates.put(entry.name, input)),
        });
      }
    },
    export: (current) => ({
      certificates: current.certificates.map((c) => ({ name: c.name, thumbprint: c.thumbprint })),
    }),
  },
);

async function inputOf(entry: CertificateEntry, baseDir: string, where: string): Promise<CertificateInput | undefined> {
  const password = entry.password !== undefined ? { password: entry.password } : {};
  if (entry.data !== undefined) return { data: entry.data, ...password };
  if (entry.file === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(baseDir, entry.file));
  } catch {
    throw new ConfigError(`${where}: cannot read the certificate file ${entry.file}`);
  }
  return { data: certificateDataOf(bytes), ...password };
}

function keepStored(where: string, entry: CertificateEntry, existing: CertificateWithMaterial | undefined): void {
  if (!existing) {
    throw new ConfigError(
      `${where}: 'file' or 'data' (with 'password') is required to create the certificate; exports leave a ` +
        "certificate's private material out, so add the PFX or PEM file the certificate came from",
    );
  }
  if (entry.thumbprint !== undefined && normalThumbprint(entry.thumbprint) !== existing.thumbprint) {
    throw new ConfigError(
      `${where}: the stored certificate's thumbprint is ${existing.thumbprint}, not ${entry.thumbprint}; ` +
        "give the certificate's 'file' or 'data' to replace it",
    );
  }
}

function sameMaterial(existing: CertificateWithMaterial, wanted: CertificateWithMaterial): boolean {
  const [a, b] = [existing.material, wanted.material];
  if (a.certificatePem !== b.certificatePem) return false;
  if (a.privateKeyPem === null || b.privateKeyPem === null) return a.privateKeyPem === b.privateKeyPem;
  return sameSecret(a.privateKeyPem, b.privateKeyPem);
}
