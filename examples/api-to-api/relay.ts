import express, { type Express, type Response as ExpressResponse } from "express";

/** Calls API1 with a token for it; how the token is had is each variant's business. */
export type CallApi1 = (url: string) => Promise<Response>;

/** API2's one route, GET /records: calls API1 and relays its status and body (502 when API1 cannot be called). */
export function createRecordsRelay(api1Url: string, callApi1: CallApi1): Express {
  const app = express();
  app.get("/records", async (_request, response) => {
    let upstream: Response;
    try {
      upstream = await callApi1(`${api1Url}/records`);
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
