/** Diagnostics as compilers print them, `file:line:column: severity: message`, and the closing count. */
import type { Diagnostic } from "./lint.js";

export function renderDiagnostics(file: string, diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`).join("");
}

export function renderCount(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return "no problems\n";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}\n`;
}
