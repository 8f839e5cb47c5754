import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import * as forExpress from "../../src/express.js";
import * as forFastify from "../../src/fastify.js";
import { TokenValidator, type TokenValidatorOptions, type ValidatedToken } from "../../src/index.js";

/** The same small API served by Express and by Fastify, each a real HTTP server on 127.0.0.1. */
export interface ApiServer {
  name: "express" | "fastify";
  url: string;
  close(): Promise<void>;
}

export interface ApiOptions {
  /** API1: v2 tokens. */
  records: TokenValidatorOptions;
  /** The legacy API: v1 tokens. */
  legacy: TokenValidatorOptions;
  role: string;
}

export const RECORDS = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `record ${i + 1}` }));

/** What the routes answer: the parts of `auth` a test checks. */
export const summary = (auth: ValidatedToken | undefined) =>
  auth && {
    version: auth.version,
    appId: auth.appId,
    tenantId: auth.tenantId,
    roles: auth.roles,
    scopes: auth.scopes,
    aud: auth.claims.aud,
  };

/**
 * Routes: /records (role), /legacy/records (v1 API, role), /whoami (any valid token), /admin (a role nobody has),
 * /any (one of two roles), /read (a delegated scope).
 */
export async function startExpressApi(o: ApiOptions): Promise<ApiServer> {
  const { requireAuth, requireRole, requireAnyRole, requireScope } = forExpress;
  // One validator (and its caches) shared by every /records-family route, as an application would.
  const records = requireAuth(new TokenValidator(o.records));
  const app = express();
  const answer: express.RequestHandler = (req, res) => {
    res.json({ records: RECORDS, auth: summary(req.auth) });
  };
  app.get("/records", records, requireRole(o.role), answer);
  app.get("/legacy/records", requireAuth(o.legacy), requireRole(o.role), answer);
  app.get("/whoami", records, answer);
  app.get("/admin", records, requireRole("Records.Admin"), answer);
  app.get("/any", records, requireAnyRole(["Records.Admin", o.role]), answer);
  app.get("/read", records, requireScope("Records.Read"), answer);
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return {
    name: "express",
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startFastifyApi(o: ApiOptions): Promise<ApiServer> {
  const { gatehouseAuth, requireAuth, requireRole, requireAnyRole, requireScope } = forFastify;
  const app = Fastify();
  await app.register(gatehouseAuth, o.records);
  const answer = async (request: { auth?: ValidatedToken }) => ({ records: RECORDS, auth: summary(request.auth) });
  app.get("/records", { preHandler: [requireAuth(), requireRole(o.role)] }, answer);
  app.get("/legacy/records", { preHandler: [requireAuth(o.legacy), requireRole(o.role)] }, answer);
  app.get("/whoami", { preHandler: [requireAuth()] }, answer);
  app.get("/admin", { preHandler: [requireAuth(), requireRole("Records.Admin")] }, answer);
  app.get("/any", { preHandler: [requireAuth(), requireAnyRole(["Records.Admin", o.role])] }, answer);
  app.get("/read", { preHandler: [requireAuth(), requireScope("Records.Read")] }, answer);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { name: "fastify", url, close: () => app.close() };
}
