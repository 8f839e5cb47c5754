import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ZodError } from "zod";
import { parseYamlDocument } from "../util/yaml-document.js";
import { ConfigError } from "./errors.js";
import { configSchema, type GatehouseConfig } from "./schema.js";

export interface LoadedConfig {
  config: GatehouseConfig;
  /** Folder that relative paths in the file (certificateFile) are resolved against. */
  baseDir: string;
}

export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new ConfigError(`cannot read configuration file ${path}`);
  }
  return { config: parseConfig(text, path, env), baseDir: dirname(resolve(path)) };
}

/** Parses and validates YAML; `${NAME}` and `${NAME:-default}` in string values come from the environment. */
export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): GatehouseConfig {
  const document = parseYamlDocument(text);
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const where = first?.linePos?.[0] ? `:${first.linePos[0].line}:${first.linePos[0].col}` : "";
    throw new ConfigError(`${source}${where}: ${first?.message.split("\n")[0] ?? "invalid YAML"}`);
  }
  const raw: unknown = substitute(document.toJS() ?? {}, env, []);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${source}: ${describe(parsed.error)}`);
  return parsed.data;
}

function substitute(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[]): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== "") return found;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`environment variable ${name} is not set (used at ${formatPath(path)})`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, [...path, i]));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, env, [...path, k])]));
  }
  return value;
}

const formatPath = (path: readonly PropertyKey[]) =>
  path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "") || "(root)";

function describe(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join("; ");
}
