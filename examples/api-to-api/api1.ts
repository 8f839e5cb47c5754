// API1, the Records API. Standalone: AUTHORITY=… API1_AUDIENCE=… node --import tsx examples/api-to-api/api1.ts
import express, { type Express } from "express";
import { requireAuth, requireRole } from "@gatehouse/middleware/express";
import { API1_ROLE } from "./apps.js";
import { runIfEntryPoint, stopOnSignal } from "./entry-point.js";
import { listen, type RunningService } from "./listen.js";
import { api1SettingsFromEnv, type Api1Settings } from "./settings.js";

/** One record of the Records API. */
export interface RecordItem {
  id: number;
  title: string;
}

/** What GET /records answers: ten records. */
export const RECORDS: readonly RecordItem[] = Array.from({ length: 10 }, (_, i) => ({
  id: i + 1,
  title: `Record ${i + 1}`,
}));

/** GET /records for callers whose app-only token, issued for API1, holds the role access_as_application_API1. */
export function createApi1(settings: Api1Settings): Express {
  const app = express();
  app.get(
    "/records",
    requireAuth({ authority: settings.authority, audience: settings.audience, fetch: settings.fetch }),
    requireRole(API1_ROLE),
    (_request, response) => {
      response.json(RECORDS);
    },
  );
  return app;
}

/** API1 listening on 127.0.0.1 at `settings.port`. */
export function startApi1(settings: Api1Settings): Promise<RunningService> {
  return listen(createApi1(settings), settings.port);
}

runIfEntryPoint(import.meta.url, async () => {
  const api1 = await startApi1(api1SettingsFromEnv(process.env));
  process.stdout.write(`API1 (Records API) at ${api1.url}/records\n`);
  stopOnSignal(api1.close);
});
