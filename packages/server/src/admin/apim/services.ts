import type { PasswordSetup } from "../../developer/password-setup.js";
import type { DeveloperSessions } from "../../developer/session.js";

/** What entities' ARM operations use besides the gateway registry (gateway/model/definition.ts). */
export interface ArmServices {
  /** Developer sessions: the tokens `users/{id}/token` issues. */
  readonly sessions: DeveloperSessions;
  /** Invitation and password-reset links, shown to the administrator who asks and sent to the notifier. */
  readonly passwordSetup: PasswordSetup;
}
