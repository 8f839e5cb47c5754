import type { ServicePrincipal } from "../identity/model.js";
import { graphErrors } from "./graph-errors.js";
import type { Management } from "./management.js";

/**
 * The management tenant, its resource and bootstrap client apps, their service principals and the bootstrap admin's
 * consent are what the admin API itself stands on: readable, never changed or deleted through it (403).
 */
export class BuiltInObjects {
  private readonly appIds: ReadonlySet<string>;

  constructor(private readonly management: Management) {
    this.appIds = new Set([management.resourceAppId, management.clientAppId]);
  }

  assertWritableApplication(app: { appId: string; displayName: string }): void {
    if (this.appIds.has(app.appId)) throw graphErrors.readOnly(`The application '${app.displayName}'`);
  }

  assertWritableServicePrincipal(sp: Pick<ServicePrincipal, "appId" | "tenantId" | "displayName">): void {
    if (this.isBuiltInServicePrincipal(sp)) throw graphErrors.readOnly(`The service principal '${sp.displayName}'`);
  }

  assertDeletableTenant(tenantId: string): void {
    if (tenantId === this.management.tenantId) throw graphErrors.readOnly("The management tenant");
  }

  /** Revoking the bootstrap client's admin role would lock out the CLI; other admins' grants may be revoked. */
  assertRevocableAssignment(principal: Pick<ServicePrincipal, "appId" | "tenantId"> | undefined): void {
    if (principal && this.isBuiltInServicePrincipal(principal) && principal.appId === this.management.clientAppId) {
      throw graphErrors.readOnly("The bootstrap admin client's role assignment");
    }
  }

  private isBuiltInServicePrincipal(sp: Pick<ServicePrincipal, "appId" | "tenantId">): boolean {
    return sp.tenantId === this.management.tenantId && this.appIds.has(sp.appId);
  }
}
