/**
 * Developer sign-in and sessions, as API Management's developer portal knows them: `GET /identity` with
 * `Authorization: Basic base64(email:password)` answers an access token in the `Ocp-Apim-Sas-Token` header, which the
 * portal sends back as `Authorization: SharedAccessSignature …`. The token has APIM's shape,
 * `<userId>&<yyyyMMddHHmm expiry, UTC>&<88 base64 characters>`, so the portal's own parser reads its user and expiry;
 * here the last part is 512 random bits rather than a signature, and only a keyed digest of the whole token is stored.
 *
 * A token lives an hour (APIM's too); the first use in its second half renews it (the new token is handed back for the
 * `Ocp-Apim-Sas-Token` response header, as APIM's `refresh="true"` announces), so an hour idle ends a session, and
 * however active, a sign-in lasts eight hours at most. Signing out revokes the sign-in and its renewals.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { hashSecret } from "../crypto/secrets.js";
import type { CredentialThrottle } from "../security/credential-throttle.js";
import type { PasswordHasher } from "../security/password-hash.js";
import type { DeveloperAccounts } from "./accounts.js";
import {
  AccountBlockedError,
  AccountNotFoundError,
  AccountPendingError,
  InvalidCredentialsError,
  InvalidSessionError,
  SignInThrottledError,
  TokenExpiryError,
} from "./errors.js";

export interface SessionSettings {
  /** How long one token is valid; a token used in its second half is renewed, so this is also the idle timeout. */
  readonly tokenLifetimeSeconds: number;
  /** How long a sign-in lasts, however often its tokens are renewed. */
  readonly maxAgeSeconds: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = { tokenLifetimeSeconds: 60 * 60, maxAgeSeconds: 8 * 60 * 60 };

/** A token as handed to the developer, once. */
export interface SessionToken {
  readonly value: string;
  readonly userId: string;
  readonly expiresAt: Date;
}

export interface AuthenticatedSession {
  readonly userId: string;
  readonly sessionId: string;
  /** When the presented token expires. */
  readonly expiresAt: Date;
  /** A replacement for a token first used in its second half, for the `Ocp-Apim-Sas-Token` response header. */
  readonly renewed: SessionToken | undefined;
}

export interface StoredSession {
  /** base64url HMAC-SHA-256 of the token. */
  readonly tokenDigest: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly signedInAt: Date;
  readonly expiresAt: Date;
}

export interface SessionRepository {
  insert(session: StoredSession): Promise<void>;
  find(tokenDigest: string): Promise<StoredSession | undefined>;
  /** Marks the token renewed; true only for the one call that marked it. */
  claimRenewal(tokenDigest: string): Promise<boolean>;
  /** Deletes a sign-in's tokens. */
  deleteSession(sessionId: string): Promise<void>;
  /** Deletes every token of the user. */
  deleteForUser(userId: string): Promise<void>;
}

export interface DeveloperSessionsOptions {
  readonly accounts: DeveloperAccounts;
  readonly repository: SessionRepository;
  readonly hasher: PasswordHasher;
  /** Failed sign-ins are counted per address, and per address and email (surface "developer-sign-in"). */
  readonly throttle: CredentialThrottle;
  /** The key of the token digests (derived from the master key, apart from other peppers). */
  readonly pepper: Buffer;
  readonly settings?: SessionSettings;
  readonly clock?: () => number;
}

/** RFC 5321's limit on an address: a longer "email" matches no account, so it is not looked up. */
const MAX_EMAIL_LENGTH = 254;
/** User ids are resource names of at most 80 characters. */
const TOKEN = /^([^&]{1,80})&(\d{12})&([A-Za-z0-9+/]{86}==)$/;
const SECRET_BYTES = 64;
const MINUTE_MS = 60_000;

export class DeveloperSessions {
  private readonly settings: SessionSettings;
  private readonly clock: () => number;

  constructor(private readonly options: DeveloperSessionsOptions) {
    this.settings = options.settings ?? DEFAULT_SESSION_SETTINGS;
    this.clock = options.clock ?? Date.now;
    const { tokenLifetimeSeconds, maxAgeSeconds } = this.settings;
    // A token expires on a whole minute (its printed expiry is exact), so it must live a few minutes at least.
    if (!(tokenLifetimeSeconds >= 300 && maxAgeSeconds >= tokenLifetimeSeconds)) {
      throw new RangeError("a developer session token must live at least 5 minutes, and a session at least as long");
    }
  }

  /**
   * Checks the email and password and starts a session. A source over its failed-attempt limit is refused before the
   * password is looked at; an unknown email costs the same hashing as a wrong password; only someone who gave the
   * right password learns that the account is blocked or pending.
   */
  async signIn(email: string, password: string, address: string): Promise<SessionToken> {
    const { accounts, hasher, throttle } = this.options;
    // Bounded, as the key of a counter; a longer "email" is a failure either way.
    const source = { address, clientId: email.slice(0, MAX_EMAIL_LENGTH + 1) };
    const retryAfter = throttle.retryAfter(source);
    if (retryAfter !== undefined) throw new SignInThrottledError(retryAfter);

    const account = email.length <= MAX_EMAIL_LENGTH ? await accounts.findByEmail(email) : undefined;
    const hash = account && account.state !== "deleted" ? account.passwordHash : undefined;
    const verified = hash === undefined ? await hasher.verifyDummy(password) : await hasher.verify(hash, password);
    if (!account || hash === undefined || !verified) {
      await throttle.failed(source);
      throw new InvalidCredentialsError();
    }
    if (account.state === "blocked") throw new AccountBlockedError();
    if (account.state === "pending") throw new AccountPendingError();
    if (hasher.needsRehash(hash)) {
      await accounts.setPasswordHash(account.id, await hasher.rehash(password), { activate: false });
    }
    const now = this.clock();
    return this.mint(account.id, randomUUID(), now, this.expiry(now, now));
  }

  /**
   * A token the administrator asks for on an active user's behalf (API Management's `users/{id}/token`), valid until
   * `expiresAt` (on a whole minute, at most a session's maximum age away) without renewal: the session is dated so
   * that its maximum age ends then.
   */
  async issue(userId: string, expiresAt: Date): Promise<SessionToken> {
    const account = await this.options.accounts.findById(userId);
    if (account?.state === "blocked") throw new AccountBlockedError();
    if (account?.state === "pending") throw new AccountPendingError();
    if (account?.state !== "active") throw new AccountNotFoundError();
    const now = this.clock();
    const end = Math.floor(expiresAt.getTime() / MINUTE_MS) * MINUTE_MS;
    const maxAge = this.settings.maxAgeSeconds * 1000;
    if (!(end > now && end <= now + maxAge)) {
      const hours = this.settings.maxAgeSeconds / 3600;
      throw new TokenExpiryError(`The token's expiry must be in the future and at most ${hours} hours away.`);
    }
    return this.mint(userId, randomUUID(), end - maxAge, end);
  }

  /**
   * Checks a signed-in user's current password before it is changed, through sign-in's failed-attempt throttle, so a
   * stolen session cannot guess it any faster than a sign-in could. Throws InvalidCredentialsError or
   * SignInThrottledError.
   */
  async confirmPassword(userId: string, password: string, address: string): Promise<void> {
    const { accounts, hasher, throttle } = this.options;
    const account = await accounts.findById(userId);
    const source = { address, clientId: account?.email ?? userId };
    const retryAfter = throttle.retryAfter(source);
    if (retryAfter !== undefined) throw new SignInThrottledError(retryAfter);
    const hash = account?.passwordHash;
    const verified = hash === undefined ? await hasher.verifyDummy(password) : await hasher.verify(hash, password);
    if (!verified) {
      await throttle.failed(source);
      throw new InvalidCredentialsError();
    }
  }

  /**
   * The session a token belongs to, and a renewed token when it is in its second half. Throws InvalidSessionError
   * for anything but a live token of an active user, AccountBlockedError for a blocked user's.
   */
  async authenticate(token: string): Promise<AuthenticatedSession> {
    const match = TOKEN.exec(token);
    if (!match) throw new InvalidSessionError();
    const now = this.clock();
    const digest = this.digest(token);
    const session = await this.options.repository.find(digest);
    if (!session || session.userId !== match[1] || session.expiresAt.getTime() <= now) {
      throw new InvalidSessionError();
    }
    const account = await this.options.accounts.findById(session.userId);
    if (account?.state === "blocked") throw new AccountBlockedError();
    if (account?.state !== "active") throw new InvalidSessionError();

    const expiresAt = session.expiresAt.getTime();
    const signedInAt = session.signedInAt.getTime();
    const halfLife = (this.settings.tokenLifetimeSeconds * 1000) / 2;
    // Once per token: a client that keeps the old token (a script) makes one more row, not one per request.
    const renew =
      expiresAt - now < halfLife &&
      this.expiry(signedInAt, now) > expiresAt &&
      (await this.options.repository.claimRenewal(digest));
    const renewed = renew
      ? await this.mint(session.userId, session.sessionId, signedInAt, this.expiry(signedInAt, now))
      : undefined;
    return { userId: session.userId, sessionId: session.sessionId, expiresAt: session.expiresAt, renewed };
  }

  /** Ends the token's sign-in, renewals included. An unknown or expired token is already signed out. */
  async signOut(token: string): Promise<void> {
    if (!TOKEN.test(token)) return;
    const session = await this.options.repository.find(this.digest(token));
    if (session) await this.options.repository.deleteSession(session.sessionId);
  }

  /** Ends every session of the user: on a new password, blocking or deletion. */
  revokeUser(userId: string): Promise<void> {
    return this.options.repository.deleteForUser(userId);
  }

  private async mint(userId: string, sessionId: string, signedInAt: number, expiry: number): Promise<SessionToken> {
    const expiresAt = new Date(expiry);
    const value = `${userId}&${stamp(expiresAt)}&${randomBytes(SECRET_BYTES).toString("base64")}`;
    await this.options.repository.insert({
      tokenDigest: this.digest(value),
      sessionId,
      userId,
      signedInAt: new Date(signedInAt),
      expiresAt,
    });
    return { value, userId, expiresAt };
  }

  /** A token lifetime from now, within the session's maximum age, on a whole minute (the token shows only minutes). */
  private expiry(signedInAt: number, now: number): number {
    const { tokenLifetimeSeconds, maxAgeSeconds } = this.settings;
    const end = Math.min(now + tokenLifetimeSeconds * 1000, signedInAt + maxAgeSeconds * 1000);
    return Math.floor(end / MINUTE_MS) * MINUTE_MS;
  }

  private digest(token: string): string {
    return hashSecret(this.options.pepper, token).toString("base64url");
  }
}

/** yyyyMMddHHmm in UTC. */
const stamp = (date: Date): string => date.toISOString().slice(0, 16).replace(/[-T:]/g, "");
