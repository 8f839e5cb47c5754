import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  importApiDocument,
  type ImportApiRequest,
  type ImportedApi,
  type ImportedOperation,
} from "../../src/gateway/model/apis/import/index.js";

export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

export const importFixture = (
  name: string,
  format: string,
  rest: Partial<ImportApiRequest> = {},
): Promise<ImportedApi> => importApiDocument({ format, value: fixture(name), ...rest });

export function operation(api: ImportedApi, name: string): ImportedOperation {
  const found = api.operations.find((o) => o.name === name);
  assert.ok(found, `operation ${name} among ${api.operations.map((o) => o.name).join(", ")}`);
  return found;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The import is refused with `kind`, a message matching `message`, and `target` as the property at fault. */
export async function refused(
  attempt: Promise<unknown> | (() => unknown),
  kind: ErrorClass,
  message: RegExp,
  target?: string,
): Promise<void> {
  await assert.rejects(
    async () => (typeof attempt === "function" ? attempt() : attempt),
    (error: unknown) => {
      assert.ok(error instanceof kind, `${String(error)} is a ${kind.name}`);
      assert.match(error.message, message);
      if (target !== undefined) assert.equal((error as Error & { target: string }).target, target);
      return true;
    },
  );
}
