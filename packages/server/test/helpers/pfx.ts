/** PFX (PKCS#12) files as real tools write them: OpenSSL's `pkcs12 -export`, run on the spot. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PfxOptions {
  /** Extra PEM certificates (the chain). */
  chain?: string;
  /** OpenSSL's older algorithms (SHA-1 3DES, as Windows exports): `-certpbe PBE-SHA1-3DES …`. */
  windows?: boolean;
  /** Only the certificate, no key. */
  noKey?: boolean;
}

/** The PFX file, as a Buffer, of the key and certificate (PEM), protected with the password. */
export function pfxOf(keyPem: string, certificatePem: string, password: string, options: PfxOptions = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-pfx-"));
  try {
    writeFileSync(join(dir, "key.pem"), keyPem);
    writeFileSync(join(dir, "cert.pem"), `${certificatePem}\n${options.chain ?? ""}\n`);
    const args = ["pkcs12", "-export", "-in", join(dir, "cert.pem"), "-out", join(dir, "out.pfx")];
    args.push(...(options.noKey ? ["-nokeys"] : ["-inkey", join(dir, "key.pem")]));
    if (options.windows) args.push("-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1");
    // The password travels in the environment, not the command line.
    execFileSync("openssl", [...args, "-passout", "env:PFX_PASSWORD"], {
      env: { ...process.env, PFX_PASSWORD: password },
      stdio: ["ignore", "ignore", "pipe"],
    });
    return readFileSync(join(dir, "out.pfx"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
