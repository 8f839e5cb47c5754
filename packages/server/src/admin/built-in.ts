import type { ServicePrincipal } from "../identity/model.js";
import { graphErrors } from "./graph-errors.js";
import type { Management } from "./management.js";

type PrincipalRef = Pick<ServicePrincipal, "appId" | "tenantId">;

/**
 * The management tenant, its resource app, the bootstrap admin client, their service principals and their consent
 * are what the admin API itself stands on: readable, never changed or deleted through it (403). So is the management
 * API's service principal in any other tenant, and the role held on it there (by the gateway's managed identity):
 * a token of that tenant counts as application administrator there (auth.ts), so no caller may grant or revoke it.
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

  /** Roles of the management API outside the management tenant are granted by Gatehouse itself only. */
  assertGrantable(resource: PrincipalRef | undefined): void {
    if (resource && this.isManagementApiElsewhere(resource)) {
      throw graphErrors.readOnly("The management API's role assignments outside the management tenant");
    }
  }

  /**
   * Revoking the bootstrap client's admin role would lock out the CLI, the gateway identity's role the gateway's
   * provisioning; other admins' grants may be revoked.
   */
  assertRevocableAssignment(principal: PrincipalRef | undefined, resource: PrincipalRef | undefined): void {
    if (resource && this.isManagementApiElsewhere(resource)) {
      throw graphErrors.readOnly("The gateway identity's role assignment");
    }
    if (principal && this.isBuiltInServicePrincipal(principal) && principal.appId === this.management.clientAppId) {
      throw graphErrors.readOnly("The bootstrap admin client's role assignment");
    }
  }

  private isManagementApiElsewhere(sp: PrincipalRef): boolean {
    return sp.appId === this.management.resourceAppId && sp.tenantId !== this.management.tenantId;
  }

  private isBuiltInServicePrincipal(sp: PrincipalRef): boolean {
    return (sp.tenantId === this.management.tenantId && this.appIds.has(sp.appId)) || this.isManagementApiElsewhere(sp);
  }
}
