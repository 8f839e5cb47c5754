import type { ReconcileReport } from "../config/reconcile.js";

/** What applying a configuration generated (client secrets, subscription keys), as lines to print once. */
export function generatedCredentialLines(
  report: ReconcileReport,
  shownElsewhere: { appId?: string; subscription?: string } = {},
): string[] {
  const lines: string[] = [];
  for (const s of report.generatedSecrets) {
    if (s.appId === shownElsewhere.appId) continue;
    lines.push(
      `New secret for ${s.application} ('${s.displayName}', appId ${s.appId}), shown only now:`,
      `  ${s.secretText}`,
    );
  }
  for (const k of report.generatedSubscriptionKeys) {
    if (k.subscription === shownElsewhere.subscription) continue;
    lines.push(
      `Keys of the new subscription '${k.subscription}' (also given by listSecrets):`,
      `  primary    ${k.primaryKey}`,
      `  secondary  ${k.secondaryKey}`,
    );
  }
  return lines;
}
