// API2, a client of API1. Standalone: AUTHORITY=… API2_CLIENT_ID=… API2_CLIENT_SECRET=… API1_SCOPE=…
// node --import tsx examples/api-to-api/api2.ts
import type { Express } from "express";
import { ClientCredentials } from "@gatehouse/client";
import { runIfEntryPoint, stopOnSignal } from "./entry-point.js";
import { listen, type RunningService } from "./listen.js";
import { createRecordsRelay } from "./relay.js";
import { api2SettingsFromEnv, type Api2Settings } from "./settings.js";

/** GET /records: gets an app-only token for API1 (cached and refreshed by the client), calls API1, relays its answer. */
export function createApi2(settings: Api2Settings): Express {
  const credentials = new ClientCredentials({
    authority: settings.authority,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    scope: settings.scope,
    fetch: settings.fetch,
  });
  return createRecordsRelay(settings.api1Url, (url) => credentials.fetch(url));
}

/** API2 listening on 127.0.0.1 at `settings.port`. */
export function startApi2(settings: Api2Settings): Promise<RunningService> {
  return listen(createApi2(settings), settings.port);
}

runIfEntryPoint(import.meta.url, async () => {
  const settings = api2SettingsFromEnv(process.env);
  const api2 = await startApi2(settings);
  process.stdout.write(`API2 at ${api2.url}/records (calls API1 at ${settings.api1Url})\n`);
  stopOnSignal(api2.close);
});
