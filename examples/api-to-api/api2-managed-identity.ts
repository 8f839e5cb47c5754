// API2 with a managed identity: the code that runs in App Service, unchanged. Its own process, configured by the
// environment only: IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service sets them; `gatehouse identity env api2`
// prints them, with NODE_EXTRA_CA_CERTS), API1_SCOPE, API1_URL and API2_PORT.
// node --import tsx examples/api-to-api/api2-managed-identity.ts
import { DefaultAzureCredential } from "@azure/identity";
import { runIfEntryPoint, stopOnSignal } from "./entry-point.js";
import { listen } from "./listen.js";
import { createRecordsRelay } from "./relay.js";
import { api2ManagedIdentitySettingsFromEnv } from "./settings.js";

/** The first line it prints, which start.ts reads to learn the port. */
export const READY = "API2 (managed identity) at ";

runIfEntryPoint(import.meta.url, async () => {
  const settings = api2ManagedIdentitySettingsFromEnv(process.env);
  // Finds the managed identity from the environment and caches its token until shortly before it expires.
  const credential = new DefaultAzureCredential();
  const app = createRecordsRelay(settings.api1Url, async (url) => {
    const { token } = await credential.getToken(settings.scope);
    return fetch(url, { headers: { authorization: `Bearer ${token}` } });
  });
  const api2 = await listen(app, settings.port);
  process.stdout.write(`${READY}${api2.url}/records (calls API1 at ${settings.api1Url})\n`);
  stopOnSignal(api2.close);
});
