/**
 * Operation names and display names as API Management gives them on import: the operationId (or, without one, method
 * and URL template) in lower case, every run of other characters one dash, trimmed, cut to 76 characters, and
 * `-1` … `-999` added to tell apart names that would clash. Display names are the summary, else the operationId,
 * else method and template (`Get - /pets`).
 */
import { DocumentParseError } from "./import-errors.js";

const MAX_NAME = 76;
const MAX_SUFFIX = 999;
const MAX_DISPLAY_NAME = 300;

export function normaliseOperationName(source: string): string {
  return source
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_NAME)
    .replace(/-+$/, "");
}

export function operationDisplayName(
  summary: string | undefined,
  operationId: string | undefined,
  method: string,
  urlTemplate: string,
): string {
  const name = summary ?? operationId ?? `${method.charAt(0)}${method.slice(1).toLowerCase()} - ${urlTemplate}`;
  return name.slice(0, MAX_DISPLAY_NAME);
}

/** Hands out the operation names of one API, each unique. */
export class OperationNames {
  private readonly taken = new Set<string>();
  /** The next suffix to try per base name, so that many clashes cost no more than one each. */
  private readonly nextSuffix = new Map<string, number>();

  allocate(operationId: string | undefined, method: string, urlTemplate: string): string {
    const base = normaliseOperationName(operationId ?? `${method}-${urlTemplate}`) || method.toLowerCase();
    if (!this.taken.has(base)) {
      this.taken.add(base);
      return base;
    }
    for (let suffix = this.nextSuffix.get(base) ?? 1; suffix <= MAX_SUFFIX; suffix++) {
      const name = `${base}-${suffix}`;
      if (this.taken.has(name)) continue;
      this.taken.add(name);
      this.nextSuffix.set(base, suffix + 1);
      return name;
    }
    throw new DocumentParseError(`More than ${MAX_SUFFIX} operations would be named '${base}'.`);
  }
}
