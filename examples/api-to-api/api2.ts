// API2, a client of API1. Standalone: AUTHORITY=… API2_CLIENT_ID=… API2_CLIENT_SECRET=… API1_SCOPE=…
// node --import tsx examples/api-to-api/api2.ts
import express, { type Express, type Response as ExpressResponse } from "express";
import { ClientCredentials } from "@gatehouse/client";
import { runIfEntryPoint, stopOnSignal } from "./entry-point.js";
import { listen, type RunningService } from "./listen.js";
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
  const app = express();
  app.get("/records", async (_request, response) => {
    let upstream: Response;
    try {
      upstream = await credentials.fetch(`${settings.api1Url}/records`);
    } catch (error) {
      badGateway(response, error);
      return;
    }
    response.status(upstream.status);
    const contentType = upstream.headers.get("content-type");
    if (contentType) response.type(contentType);
    response.send(Buffer.from(await upstream.arrayBuffer()));
  });
  return app;
}

/** API2 listening on 127.0.0.1 at `settings.port`. */
export function startApi2(settings: Api2Settings): Promise<RunningService> {
  return listen(createApi2(settings), settings.port);
}

/** No token (the authority refused or is down) or API1 unreachable: a problem details body, never a stack. */
function badGateway(response: ExpressResponse, error: unknown): void {
  response
    .status(502)
    .type("application/problem+json")
    .json({
      type: "about:blank",
      title: "Bad Gateway",
      status: 502,
      detail: `API1 could not be called: ${error instanceof Error ? error.message : String(error)}`,
    });
}

runIfEntryPoint(import.meta.url, async () => {
  const settings = api2SettingsFromEnv(process.env);
  const api2 = await startApi2(settings);
  process.stdout.write(`API2 at ${api2.url}/records (calls API1 at ${settings.api1Url})\n`);
  stopOnSignal(api2.close);
});
