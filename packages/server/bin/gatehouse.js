#!/usr/bin/env node
// Runs the built CLI; `npm install` builds it (the root `prepare` script).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/index.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("gatehouse: not built yet; run `npm run build` in the repository root\n");
  process.exit(1);
}
await import(entry.href);
