/** `--named-values FILE`: a YAML map of named values (name: value), as `{{name}}` looks them up. */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { parseYamlDocument } from "../../util/yaml-document.js";

export class NamedValuesFileError extends Error {
  override name = "NamedValuesFileError";
}

const schema = z.record(
  z.string().regex(/^[A-Za-z0-9._-]+$/, "names are letters, digits, -, . and _"),
  z.union([z.string(), z.number(), z.boolean()]).transform(String),
);

/** Lower-cased name → value. */
export async function readNamedValues(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new NamedValuesFileError(
      `${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  const document = parseYamlDocument(text);
  const syntax = document.errors[0];
  if (syntax) throw new NamedValuesFileError(`${file}: ${syntax.message.split("\n")[0]}`);
  const parsed = schema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NamedValuesFileError(
      `${file}: ${issue?.path.map(String).join(".") ?? ""}: ${issue?.message ?? "not a map of named values"}`,
    );
  }
  return new Map(Object.entries(parsed.data).map(([name, value]) => [name.toLowerCase(), value]));
}
