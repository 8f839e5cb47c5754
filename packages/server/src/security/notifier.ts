/**
 * How invitation and password-reset links reach a developer. Gatehouse runs without a mail server: the link of an
 * invitation or reset the administrator asks for is returned to the administrator (admin API) or printed (CLI), and
 * every link also goes to the Notifier, which a deployment can replace with one that mails or posts it.
 *
 * The default prints to the server's console, not through the logger: the logger's output is shipped and kept, and
 * its redaction is for credentials that must never appear, while this link is meant to be read by whoever runs the
 * server, as a mail catcher would show it.
 */
import type { Writable } from "node:stream";
import type { TicketPurpose } from "./one-time-ticket.js";

export interface TicketNotice {
  readonly purpose: TicketPurpose;
  readonly userId: string;
  readonly email: string;
  /** The link with the ticket: a credential until it is used or expires. */
  readonly link: string;
  readonly expiresAt: Date;
}

export interface Notifier {
  deliver(notice: TicketNotice): Promise<void>;
}

const SUBJECTS: Readonly<Record<TicketPurpose, string>> = {
  invitation: "Invitation to the developer portal",
  "password-reset": "Password reset for the developer portal",
};

/** Writes each notice as a few plain lines to a stream (the server's standard output by default). */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly out: Writable = process.stdout) {}

  deliver(notice: TicketNotice): Promise<void> {
    const text = [
      `${SUBJECTS[notice.purpose]} for ${printable(notice.email)} (user ${printable(notice.userId)})`,
      `  ${notice.link}`,
      `  valid until ${notice.expiresAt.toISOString()}, once`,
      "",
    ].join("\n");
    return new Promise((resolve, reject) => this.out.write(text, (error) => (error ? reject(error) : resolve())));
  }
}

/** Control characters shown as `?`, so a crafted email cannot forge lines or move the terminal's cursor. */
// eslint-disable-next-line no-control-regex
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
