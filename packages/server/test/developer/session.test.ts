import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  AccountBlockedError,
  AccountPendingError,
  InvalidCredentialsError,
  InvalidSessionError,
  SignInThrottledError,
} from "../../src/developer/errors.js";
import { DeveloperSessions, type SessionToken } from "../../src/developer/session.js";
import { SqlSessions } from "../../src/developer/sql-sessions.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import { CredentialThrottle } from "../../src/security/credential-throttle.js";
import { PasswordHasher, parsePasswordHash } from "../../src/security/password-hash.js";
import { databaseTargets } from "../helpers/databases.js";
import { MemoryAccounts, openDeveloperDatabase, type DeveloperDatabase } from "./developer-store.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Cheap parameters: these tests are about sessions, not the KDF's cost. */
const hasher = new PasswordHasher({ parameters: { ln: 10, r: 8, p: 1 } });
const PASSWORD = "developer-password-1";
const TOKEN = /^([^&]+)&(\d{12})&[A-Za-z0-9+/]{86}==$/;

for (const target of await databaseTargets()) {
  describe(`developer sessions on ${target.name}`, { skip: target.skip }, () => {
    let store: DeveloperDatabase;
    const start = Date.parse("2026-03-01T10:00:20Z");
    let now = start;
    const clock = () => now;
    const accounts = new MemoryAccounts();
    let sessions: DeveloperSessions;
    const sweepErrors: Error[] = [];

    before(async () => {
      store = await openDeveloperDatabase(target);
      const hash = await hasher.hash(PASSWORD);
      accounts.add("dev", "dev@contoso.example", "active", hash);
      accounts.add("other", "other@contoso.example", "active", hash);
      accounts.add("blocked", "blocked@contoso.example", "blocked", hash);
      accounts.add("pending", "pending@contoso.example", "pending", hash);
      accounts.add("invited", "invited@contoso.example", "pending");
      accounts.add("deleted", "deleted@contoso.example", "deleted", hash);
      sessions = new DeveloperSessions({
        accounts,
        repository: new SqlSessions(store.db, (error) => sweepErrors.push(error), clock),
        hasher,
        throttle: new CredentialThrottle(
          new MemoryState({ clock }),
          "developer-sign-in",
          { perClientAndAddress: 3, perAddress: 10, windowSeconds: 60 },
          clock,
        ),
        pepper: randomBytes(32),
        clock,
      });
    });
    after(async () => {
      await store.close();
      assert.deepEqual(sweepErrors, []);
    });

    /** Each test signs in from its own address, so the throttle test's failures stay its own. */
    let nextAddress = 1;
    const address = () => `127.0.1.${nextAddress++}`;
    const at = async <T>(time: number, run: () => Promise<T>): Promise<T> => {
      const saved = now;
      now = time;
      try {
        return await run();
      } finally {
        now = saved;
      }
    };

    it("signs in with email and password: a token in APIM's shape that expires in an hour, on a whole minute", async () => {
      const token = await sessions.signIn("Dev@Contoso.example", PASSWORD, address());
      const match = TOKEN.exec(token.value);
      assert.ok(match, token.value);
      assert.equal(match[1], "dev");
      assert.equal(match[2], "202603011100", "yyyyMMddHHmm of the expiry, UTC");
      assert.equal(token.userId, "dev");
      assert.equal(token.expiresAt.toISOString(), "2026-03-01T11:00:00.000Z");

      const session = await sessions.authenticate(token.value);
      assert.equal(session.userId, "dev");
      assert.equal(session.renewed, undefined);

      // Only a digest is stored.
      const rows = await store.db.selectFrom("developer_sessions").selectAll().execute();
      const secret = token.value.split("&")[2] ?? "";
      for (const row of rows) assert.ok(!JSON.stringify(row).includes(secret.slice(0, 40)));
      assert.ok(rows.some((row) => row.user_id === "dev" && row.token_digest.length === 43));
    });

    it("refuses a wrong password, an unknown email, a user without a password and a deleted user alike", async () => {
      for (const [email, password] of [
        ["dev@contoso.example", "wrong-password-1"],
        ["nobody@contoso.example", PASSWORD],
        ["invited@contoso.example", PASSWORD],
        ["deleted@contoso.example", PASSWORD],
        ["dev@contoso.example", "x".repeat(2000)],
        [`${"x".repeat(300)}@contoso.example`, PASSWORD],
      ] as const) {
        await assert.rejects(sessions.signIn(email, password, address()), (error: unknown) => {
          assert.ok(error instanceof InvalidCredentialsError, String(error));
          assert.equal(error.message, "Please provide a valid email and password.");
          return true;
        });
      }
    });

    it("tells a blocked or pending user so only after the right password", async () => {
      await assert.rejects(
        sessions.signIn("blocked@contoso.example", "wrong-password-1", address()),
        InvalidCredentialsError,
      );
      await assert.rejects(sessions.signIn("blocked@contoso.example", PASSWORD, address()), AccountBlockedError);
      await assert.rejects(
        sessions.signIn("pending@contoso.example", "wrong-password-1", address()),
        InvalidCredentialsError,
      );
      await assert.rejects(sessions.signIn("pending@contoso.example", PASSWORD, address()), AccountPendingError);
    });

    it("throttles failed sign-ins per address and email: refused before the password is checked, others unaffected", async () => {
      const guesser = address();
      for (let i = 0; i < 3; i++) {
        await assert.rejects(
          sessions.signIn("other@contoso.example", `guess-number-${i}`, guesser),
          InvalidCredentialsError,
        );
      }
      for (const password of ["guess-number-3", PASSWORD]) {
        await assert.rejects(sessions.signIn("OTHER@contoso.example", password, guesser), (error: unknown) => {
          assert.ok(error instanceof SignInThrottledError);
          assert.ok(error.retryAfterSeconds >= 1 && error.retryAfterSeconds <= 60);
          assert.match(
            error.message,
            /^Too many failed sign-in attempts from this address\. Retry after \d+ seconds\.$/,
          );
          return true;
        });
      }
      // The same email from elsewhere, and another email from the guesser's address, still work.
      await sessions.signIn("other@contoso.example", PASSWORD, address());
      await sessions.signIn("dev@contoso.example", PASSWORD, guesser);
      // Once the window has passed, the guesser's address may try again.
      await at(now + 61_000, () => sessions.signIn("other@contoso.example", PASSWORD, guesser));
    });

    it("refuses malformed, altered, unknown and expired tokens", async () => {
      const token = await sessions.signIn("dev@contoso.example", PASSWORD, address());
      const [user, expiry, secret = ""] = token.value.split("&");
      const flipped = `${secret.slice(0, 10)}${secret[10] === "A" ? "B" : "A"}${secret.slice(11)}`;
      for (const bad of [
        "",
        "garbage",
        `other&${expiry}&${secret}`,
        `${user}&202612312359&${secret}`,
        `${user}&${expiry}&${flipped}`,
        `${token.value} `,
        `${"u".repeat(81)}&${expiry}&${secret}`,
      ]) {
        await assert.rejects(sessions.authenticate(bad), InvalidSessionError, bad);
      }
      await at(token.expiresAt.getTime() - 1, () => sessions.authenticate(token.value));
      await assert.rejects(
        at(token.expiresAt.getTime(), () => sessions.authenticate(token.value)),
        (error: unknown) => {
          assert.ok(error instanceof InvalidSessionError);
          assert.equal(error.message, "The access token is invalid or has expired. Sign in again.");
          return true;
        },
      );
    });

    it("renews a token once, when first used in its second half; the old one lives on; a sign-in lasts 8 hours at most", async () => {
      const first = await sessions.signIn("dev@contoso.example", PASSWORD, address());
      const early = await at(start + 25 * MINUTE, () => sessions.authenticate(first.value));
      assert.equal(early.renewed, undefined, "first half: no renewal");

      const late = await at(start + 35 * MINUTE, () => sessions.authenticate(first.value));
      const renewed = late.renewed;
      assert.ok(renewed);
      assert.equal(renewed.expiresAt.toISOString(), "2026-03-01T11:35:00.000Z");
      assert.equal(late.expiresAt.toISOString(), "2026-03-01T11:00:00.000Z");
      // The old token still works, in the same session, and is not renewed again.
      const again = await at(start + 40 * MINUTE, () => sessions.authenticate(first.value));
      assert.equal(again.sessionId, late.sessionId);
      assert.equal(again.renewed, undefined);

      // Used every 40 minutes, the session is renewed until its eighth hour and no further.
      let token: SessionToken = renewed;
      let time = start + 35 * MINUTE;
      const limit = Date.parse("2026-03-01T18:00:00Z");
      while (time + 40 * MINUTE < limit) {
        time += 40 * MINUTE;
        const session = await at(time, () => sessions.authenticate(token.value));
        if (session.renewed) token = session.renewed;
        assert.ok(token.expiresAt.getTime() <= limit);
      }
      assert.equal(token.expiresAt.getTime(), limit, "the last renewal ends with the session");
      await assert.rejects(
        at(limit, () => sessions.authenticate(token.value)),
        InvalidSessionError,
      );
    });

    it("signs out the token's sign-in with its renewals, not the user's other sessions", async () => {
      const phone = await sessions.signIn("dev@contoso.example", PASSWORD, address());
      const laptop = await sessions.signIn("dev@contoso.example", PASSWORD, address());
      const renewed = (await at(start + 45 * MINUTE, () => sessions.authenticate(laptop.value))).renewed;
      assert.ok(renewed);
      await sessions.signOut(laptop.value);
      await assert.rejects(sessions.authenticate(laptop.value), InvalidSessionError);
      await assert.rejects(sessions.authenticate(renewed.value), InvalidSessionError);
      await sessions.authenticate(phone.value);
      await sessions.signOut(laptop.value);
      await sessions.signOut("garbage");
    });

    it("revokes every session of a user, and stops a blocked or deleted user's sessions", async () => {
      const a = await sessions.signIn("other@contoso.example", PASSWORD, address());
      const b = await sessions.signIn("other@contoso.example", PASSWORD, address());
      const dev = await sessions.signIn("dev@contoso.example", PASSWORD, address());
      await sessions.revokeUser("other");
      for (const token of [a, b]) await assert.rejects(sessions.authenticate(token.value), InvalidSessionError);
      await sessions.authenticate(dev.value);

      const c = await sessions.signIn("other@contoso.example", PASSWORD, address());
      accounts.setState("other", "blocked");
      await assert.rejects(sessions.authenticate(c.value), AccountBlockedError);
      accounts.setState("other", "deleted");
      await assert.rejects(sessions.authenticate(c.value), InvalidSessionError);
      accounts.setState("other", "active");
    });

    it("stores a new hash when the password was hashed with other parameters", async () => {
      const stronger = new PasswordHasher({ parameters: { ln: 11, r: 8, p: 1 } });
      accounts.add("legacy", "legacy@contoso.example", "active", await hasher.hash(PASSWORD));
      const upgrading = new DeveloperSessions({
        accounts,
        repository: new SqlSessions(store.db, (error) => sweepErrors.push(error), clock),
        hasher: stronger,
        throttle: new CredentialThrottle(new MemoryState({ clock }), "developer-sign-in", {
          perClientAndAddress: 3,
          perAddress: 10,
          windowSeconds: 60,
        }),
        pepper: randomBytes(32),
        clock,
      });
      await upgrading.signIn("legacy@contoso.example", PASSWORD, address());
      const stored = accounts.get("legacy")?.passwordHash ?? "";
      assert.deepEqual(parsePasswordHash(stored).parameters, { ln: 11, r: 8, p: 1 });
      assert.equal(await stronger.verify(stored, PASSWORD), true);
    });

    it("deletes expired tokens as new ones are made, at most once a minute", async () => {
      const count = async () =>
        (await store.db.selectFrom("developer_sessions").select("token_digest").execute()).length;
      assert.ok((await count()) > 1);
      const later = start + 9 * HOUR;
      await at(later, () => sessions.signIn("dev@contoso.example", PASSWORD, address()));
      for (let i = 0; i < 50 && (await count()) !== 1; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await count(), 1, "only the token made now is left");
    });
  });
}
