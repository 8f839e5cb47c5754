import type { ServicePrincipal } from "../identity/model.js";
import { graphErrors } from "./graph-errors.js";
import type { Management } from "./management.js";

/**
 * The management tenant, its resource app, the bootstrap admin and gateway clients, their service principals and
 * their consent are what the admin API itself stands on: readable, never changed or deleted through it (403).
 */
export class BuiltInObjects {
  private readonly appIds: ReadonlySet<string>;

  constructor(private readonly management: Management) {
    this.appIds = new Set([management.resourceAppId, management.clientAppId, management.gatewayClientAppId]);
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

  /**
   * Revoking the bootstrap client's admin role would lock out the CLI, the gateway client's role the gateway's
   * provisioning; other admins' grants may be revoked.
   */
  assertRevocableAssignment(principal: Pick<ServicePrincipal, "appId" | "tenantId"> | undefined): void {
    if (!principal || !this.isBuiltInServicePrincipal(principal)) return;
    if (principal.appId === this.management.clientAppId) {
      throw graphErrors.readOnly("The bootstrap admin client's role assignment");
    }
    if (principal.appId === this.management.gatewayClientAppId) {
      throw graphErrors.readOnly("The gateway client's role assignment");
    }
  }

  private isBuiltInServicePrincipal(sp: Pick<ServicePrincipal, "appId" | "tenantId">): boolean {
    return sp.tenantId === this.management.tenantId && this.appIds.has(sp.appId);
  }
}
