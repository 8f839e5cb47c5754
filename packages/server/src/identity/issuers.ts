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
  /** Expanded issuers by template and tenant: the token path asks for the same few strings on every request. */
  private readonly cache = new Map<string, string>();

  constructor(private settings: IssuerSettings) {}

  get publicUrl(): string {
    return this.settings.publicUrl;
  }

  /** Moves the public URL once the real listening port is known (port 0). */
  rebase(publicUrl: string): void {
    this.settings = { ...this.settings, publicUrl };
    this.cache.clear();
  }

  v1(tenantId: string): string {
    return this.expand(this.settings.v1Template, tenantId);
  }

  v2(tenantId: string): string {
    return this.expand(this.settings.v2Template, tenantId);
  }

  private expand(template: string, tenantId: string): string {
    const key = `${template}|${tenantId}`;
    let issuer = this.cache.get(key);
    if (issuer === undefined) {
      issuer = template.replaceAll("{publicUrl}", this.settings.publicUrl).replaceAll("{tenantid}", tenantId);
      // Bounded: tenant ids come from the directory, but the `common` documents pass a template literal too.
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, issuer);
    }
    return issuer;
  }
}
