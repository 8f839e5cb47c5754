/** A notifier that keeps what it is given, and the ticket of a link as the portal's confirmation page reads it. */
import type { Notifier, TicketNotice } from "../../src/security/notifier.js";

export class KeptNotices implements Notifier {
  readonly notices: TicketNotice[] = [];

  async deliver(notice: TicketNotice): Promise<void> {
    this.notices.push(notice);
  }

  /** The last link sent to this user. */
  lastLink(userId: string): string {
    const notice = this.notices.findLast((n) => n.userId === userId);
    if (!notice) throw new Error(`no link was sent to user ${userId}`);
    return notice.link;
  }
}

/** `Ticket id="…",ticket="…"` from a link's fragment, and the user it is for. */
export function ticketOf(link: string): { userId: string; authorization: string } {
  const fragment = new URLSearchParams(new URL(link).hash.slice(1));
  return {
    userId: fragment.get("userid") ?? "",
    authorization: `Ticket id="${fragment.get("ticketid") ?? ""}",ticket="${fragment.get("ticket") ?? ""}"`,
  };
}
