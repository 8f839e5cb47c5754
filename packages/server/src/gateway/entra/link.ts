import type { EntraDirectory } from "./directory.js";

/**
 * The registry's way to the gateway's Entra client. A server attaches its directory once its identity and admin
 * listeners answer; until then, and in processes without listeners (the CLI), there is none: writes then store what
 * is wanted and the server's ApplicationSync provisions it later.
 */
export class EntraLink {
  private directory: EntraDirectory | undefined;

  attach(directory: EntraDirectory): void {
    this.directory = directory;
  }

  detach(): void {
    this.directory = undefined;
  }

  current(): EntraDirectory | undefined {
    return this.directory;
  }
}
