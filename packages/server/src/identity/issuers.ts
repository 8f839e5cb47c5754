/** Where the identity service says it lives, and the issuer strings it writes into tokens and discovery. */
export interface IssuerSettings {
  /** Public base URL of the identity listener, no trailing slash (`--public-url`). */
  publicUrl: string;
  /** `{tenantid}` is replaced by the tenant GUID; `{publicUrl}` by the public base URL. */
  v1Template: string;
  v2Template: string;
}

export const defaultIssuerTemplates = { v1: "{publicUrl}/{tenantid}/", v2: "{publicUrl}/{tenantid}/v2.0" } as const;

export class Issuers {
  constructor(private settings: IssuerSettings) {}

  get publicUrl(): string {
    return this.settings.publicUrl;
  }

  /** Moves the public URL once the real listening port is known (port 0). */
  rebase(publicUrl: string): void {
    this.settings = { ...this.settings, publicUrl };
  }

  v1(tenantId: string): string {
    return this.expand(this.settings.v1Template, tenantId);
  }

  v2(tenantId: string): string {
    return this.expand(this.settings.v2Template, tenantId);
  }

  private expand(template: string, tenantId: string): string {
    return template.replaceAll("{publicUrl}", this.settings.publicUrl).replaceAll("{tenantid}", tenantId);
  }
}
