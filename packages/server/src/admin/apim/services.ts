import type { PasswordSetup } from "../../developer/password-setup.js";

/** What entities' ARM operations use besides the gateway registry (gateway/model/definition.ts). */
export interface ArmServices {
  /** Invitation and password-reset links, shown to the administrator who asks and sent to the notifier. */
  readonly passwordSetup: PasswordSetup;
}
