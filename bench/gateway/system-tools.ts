import { spawnSync } from "node:child_process";

const log = (msg: string): void => console.error(`[bench] ${msg}`);

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * True when `command` is on the PATH, installing Debian's `aptPackage` first if it is missing and this process is
 * root; otherwise says how to install it and returns false.
 */
export function ensureCommand(command: string, aptPackage: string): boolean {
  if (onPath(command)) return true;
  if (process.getuid?.() !== 0) {
    log(`${command} is not installed; as root: apt-get install -y ${aptPackage}`);
    return false;
  }
  log(`${command} is not installed; running apt-get install -y ${aptPackage}`);
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "--no-install-recommends", aptPackage], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 300_000,
    }).status === 0;
  // A fresh machine may have no package lists yet.
  if (!install()) {
    spawnSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
    install();
  }
  if (onPath(command)) return true;
  log(`installing ${aptPackage} failed; the ${command} part of the benchmark is skipped`);
  return false;
}

/** The first line a command prints for `args` (e.g. its version), or "" when it cannot be run. */
export function firstLine(command: string, args: string[]): string {
  const out = spawnSync(command, args, { encoding: "utf8" });
  return `${out.stdout ?? ""}${out.stderr ?? ""}`.split("\n")[0]?.trim() ?? "";
}
