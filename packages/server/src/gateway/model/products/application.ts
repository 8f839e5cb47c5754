/**
 * A product's Entra registration follows its authentication types (reference apim.md §5.1): turning
 * application-token on provisions `APIMProductApplication<Product>` through the gateway's Entra client before the
 * product is written, so the answer already shows `application.entra`; turning it off disables the registration,
 * never deletes it, and turning it on again re-enables the same one. Where there is no directory (the CLI, a file
 * applied before the listeners are up) only the wish is stored, and the server's ApplicationSync provisions it.
 */
import type { EntraDirectory } from "../../entra/directory.js";
import type { GatewayRegistry } from "../registry.js";
import type { GatewayTransaction } from "../transaction.js";
import { acceptsApplicationTokens, type Product, type ProductEntraApplication, type ProductFields } from "./types.js";

/** What the directory must do for the product's registration to match its authentication types, if anything. */
export function productApplicationChange(product: Product): "enable" | "disable" | undefined {
  const wanted = acceptsApplicationTokens(product);
  if (wanted && !product.entra?.enabled) return "enable";
  if (!wanted && product.entra?.enabled) return "disable";
  return undefined;
}

/** Provisions (or finds and re-enables) the product's registration; the ids the product stores. */
export async function enableProductApplication(
  directory: EntraDirectory,
  product: Pick<Product, "name" | "displayName" | "entra">,
): Promise<ProductEntraApplication> {
  const [application, tenantId] = await Promise.all([
    directory.ensureProductApplication(product.name, product.displayName, product.entra ?? undefined),
    directory.tenantId(),
  ]);
  return { ...application, tenantId, enabled: true };
}

export async function disableProductApplication(
  directory: EntraDirectory,
  entra: ProductEntraApplication,
): Promise<ProductEntraApplication> {
  await directory.disableProductApplication(entra);
  return { ...entra, enabled: false };
}

/**
 * Writes a product (PUT or PATCH, `write`), whose validated fields are `fields`, after provisioning its registration
 * when application-token is being turned on. Turning it off is left to the sync, right after the commit: disabling
 * first would leave an enabled product with a disabled registration should the write fail.
 */
export async function saveProduct(
  gateway: GatewayRegistry,
  fields: ProductFields,
  existing: Product | undefined,
  write: (tx: GatewayTransaction) => Promise<Product>,
): Promise<Product> {
  const directory = gateway.entra.current();
  const entra =
    directory && acceptsApplicationTokens(fields) && !existing?.entra?.enabled
      ? await enableProductApplication(directory, { ...fields, entra: existing?.entra ?? null })
      : undefined;
  return gateway.write(async (tx) => {
    const product = await write(tx);
    if (!entra) return product;
    await tx.products.recordApplication(product.name, entra);
    return { ...product, entra };
  });
}

/** Deletes a product; its registration is disabled first (and recorded so), so no token is issued for it any more. */
export async function deleteProduct(gateway: GatewayRegistry, name: string): Promise<boolean> {
  const existing = await gateway.products.get(name);
  const directory = gateway.entra.current();
  if (directory && existing?.entra?.enabled) {
    await gateway.products.recordApplication(name, await disableProductApplication(directory, existing.entra));
  }
  return gateway.products.delete(name);
}
