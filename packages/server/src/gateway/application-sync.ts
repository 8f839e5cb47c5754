import type { Logger } from "pino";
import type { Store } from "../store/store.js";
import type { EntraDirectory } from "./entra/directory.js";
import { deleteClientApplication, provisionClientApplication } from "./model/client-applications/registration.js";
import type { ClientApplication } from "./model/client-applications/types.js";
import {
  disableProductApplication,
  enableProductApplication,
  productApplicationChange,
} from "./model/products/application.js";
import type { Product } from "./model/products/types.js";
import type { GatewayRegistry } from "./model/registry.js";

export interface ApplicationSyncOptions {
  gateway: GatewayRegistry;
  store: Store;
  directory: EntraDirectory;
  logger: Logger;
  /** How often the store's revision is read, to notice changes other processes made (`apply`, other nodes). */
  pollIntervalMs: number;
  /** How long after a failed pass it runs again even without a change. */
  retryMs: number;
}

/**
 * Brings the directory to what the gateway model stores, for what was written where there was no directory — the
 * CLI's `apply`, a file applied at start before the listeners are up, another node: products with application-token
 * on get their registration provisioned (or re-enabled), products turned off get it disabled, client applications
 * get registered and their pending product links granted, and those whose owner was deleted are deleted. A pass runs after every change committed in this process,
 * when the store's revision moves, and again `retryMs` after a failure; passes run one at a time, and across the
 * nodes sharing a database one at a time too. Every step finds what exists, so a repeated pass changes nothing.
 * Failures are logged per object (messages name the Graph call, never a secret) and retried.
 */
export class ApplicationSync {
  private running: Promise<void> | undefined;
  private again = false;
  private lastRevision: number | undefined;
  private failedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: ApplicationSyncOptions) {}

  start(): void {
    this.unsubscribe = this.options.gateway.subscribe(() => void this.run());
    this.timer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
    this.timer.unref();
    void this.run();
  }

  /** A pass now, or right after the running one (which may have read before the caller's change). */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && this.timer !== undefined);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    await this.running;
  }

  private async poll(): Promise<void> {
    let revision: number;
    try {
      revision = await this.options.store.revision();
    } catch (err) {
      this.options.logger.warn({ err }, "application-based access: cannot read the store's revision");
      return;
    }
    const retry = this.failedAt !== undefined && Date.now() - this.failedAt >= this.options.retryMs;
    if (revision !== this.lastRevision || retry) await this.run();
  }

  private async pass(): Promise<void> {
    const { store, logger } = this.options;
    try {
      const revision = await store.revision();
      const failures = await store.exclusive("application-sync", () => this.provision());
      this.failedAt = failures > 0 ? Date.now() : undefined;
      this.lastRevision = revision;
    } catch (err) {
      this.failedAt = Date.now();
      logger.warn({ err }, "application-based access: provisioning pass failed; retrying");
    }
  }

  /** One pass; the number of objects that could not be brought along. */
  private async provision(): Promise<number> {
    const { gateway, directory } = this.options;
    let failures = 0;
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (err) {
        failures++;
        this.options.logger.warn({ err }, `application-based access: ${what} could not be provisioned; retrying`);
      }
    };
    for (const product of await gateway.products.list()) {
      const change = productApplicationChange(product);
      const { entra } = product;
      if (change === "enable") {
        await attempt(`product ${product.name}`, async () =>
          gateway.products.recordApplication(product.name, await enableProductApplication(directory, product)),
        );
      } else if (change === "disable" && entra) {
        await attempt(`product ${product.name}`, async () =>
          gateway.products.recordApplication(product.name, await disableProductApplication(directory, entra)),
        );
      }
    }
    // Read after the products: a registration provisioned just now lets its links be granted in this pass.
    const [products, applications, users] = await gateway.read((tx) =>
      Promise.all([tx.products.list(), tx.clientApplications.list(), tx.users.list()]),
    );
    const registered = new Set(products.filter((p) => p.entra !== null).map((p) => p.name));
    const owners = new Set(users.map((user) => user.name));
    for (const app of applications) {
      // An application is its owner's alone (apim.md §5.1): it goes with a deleted owner, registration first.
      if (!owners.has(app.ownerId)) {
        await attempt(`client application ${app.name} of a deleted user`, () =>
          deleteClientApplication(gateway, app.name),
        );
      } else if (needsProvisioning(app, registered)) {
        await attempt(`client application ${app.name}`, () => provisionClientApplication(gateway, directory, app));
      }
    }
    return failures;
  }
}

function needsProvisioning(app: ClientApplication, registered: ReadonlySet<Product["name"]>): boolean {
  return app.entra === null || app.productLinks.some((link) => !link.granted && registered.has(link.product));
}
