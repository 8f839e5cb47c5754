/**
 * The developer accounts' services as one server wires them: sign-in and sessions, and invitation and reset links,
 * over the users of the gateway registry (which implements DeveloperAccounts) and the store's session and ticket
 * tables. Peppers are derived from the master key, each apart from the others.
 */
import type { Logger } from "pino";
import type { MasterKey } from "../crypto/master-key.js";
import type { GatewayRegistry } from "../gateway/model/registry.js";
import type { GatewayState } from "../gateway/state/gateway-state.js";
import { CredentialThrottle, type CredentialThrottleOptions } from "../security/credential-throttle.js";
import type { Notifier } from "../security/notifier.js";
import { OneTimeTickets } from "../security/one-time-ticket.js";
import type { Store } from "../store/store.js";
import { PasswordSetup } from "./password-setup.js";
import { DeveloperSessions } from "./session.js";
import { SqlSessions } from "./sql-sessions.js";
import { SqlTickets } from "./sql-tickets.js";

export interface DeveloperServices {
  readonly sessions: DeveloperSessions;
  readonly passwordSetup: PasswordSetup;
  /** Failed sign-ins, and "forgot password" requests, per address and email. */
  readonly throttle: CredentialThrottle;
}

export interface DeveloperServicesOptions {
  readonly store: Store;
  readonly gateway: GatewayRegistry;
  readonly masterKey: MasterKey;
  /** Where failed sign-ins are counted (Redis with --redis, shared by every node). */
  readonly state: GatewayState;
  readonly throttle: CredentialThrottleOptions;
  readonly notifier: Notifier;
  portalUrl(): URL;
  readonly logger: Logger;
}

export function developerServices(options: DeveloperServicesOptions): DeveloperServices {
  const { store, gateway, masterKey, logger } = options;
  const onSweepError = (err: Error) => logger.warn({ err }, "cannot delete expired developer sessions or links");
  const throttle = new CredentialThrottle(options.state, "developer-sign-in", options.throttle);
  const sessions = new DeveloperSessions({
    accounts: gateway.users,
    repository: new SqlSessions(store.db, onSweepError),
    hasher: gateway.passwords,
    throttle,
    pepper: masterKey.derive("developer-session-digest"),
  });
  const passwordSetup = new PasswordSetup({
    accounts: gateway.users,
    tickets: new OneTimeTickets(new SqlTickets(store.db, onSweepError), masterKey.derive("developer-ticket-digest")),
    sessions,
    hasher: gateway.passwords,
    notifier: options.notifier,
    portalUrl: options.portalUrl,
  });
  return { sessions, passwordSetup, throttle };
}
