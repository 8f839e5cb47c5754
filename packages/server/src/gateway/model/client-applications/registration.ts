/**
 * A client application's side in the directory (reference apim.md §5.1): its registration `APIMApplication<Name>`,
 * the product roles granted with admin consent for its links, and its secrets — done through the gateway's Entra
 * client outside any transaction, before the store records it (so an answer shows what exists), with the directory
 * change undone when the write then fails. Where there is no directory yet, the application and its links are
 * stored pending and the server's ApplicationSync provisions them (provisionClientApplication).
 */
import type { ClientSecret, EntraDirectory } from "../../entra/directory.js";
import { GraphUnavailableError } from "../../entra/errors.js";
import { GatewayNotFoundError } from "../errors.js";
import { acceptsApplicationTokens } from "../products/types.js";
import type { GatewayRegistry } from "../registry.js";
import type { ClientApplication, ClientApplicationEntra, ClientApplicationInput, ProductLink } from "./types.js";
import { checkLinkName } from "./validation.js";

function directoryOf(gateway: GatewayRegistry): EntraDirectory {
  const directory = gateway.entra.current();
  if (!directory) throw new GraphUnavailableError("the gateway's Entra client is not connected yet; retry shortly");
  return directory;
}

async function register(directory: EntraDirectory, name: string): Promise<ClientApplicationEntra> {
  const [registration, tenantId] = await Promise.all([directory.createClientApplication(name), directory.tenantId()]);
  return { ...registration, tenantId };
}

/** Undoes a directory change whose write failed; the write's error is the one reported. */
async function undo(change: () => Promise<void>, error: unknown): Promise<never> {
  await change().catch(() => undefined);
  throw error;
}

/** PUT: a new application is registered first (an existing one keeps its registration). */
export async function saveClientApplication(
  gateway: GatewayRegistry,
  name: string,
  input: ClientApplicationInput,
): Promise<{ application: ClientApplication; created: boolean }> {
  await gateway.clientApplications.validate(name, input);
  const existing = await gateway.clientApplications.get(name);
  const directory = gateway.entra.current();
  const entra = directory && !existing?.entra ? await register(directory, name) : undefined;
  try {
    return await gateway.clientApplications.put(name, input, entra);
  } catch (error) {
    return undo(async () => {
      if (directory && entra) await directory.deleteClientApplication(entra);
    }, error);
  }
}

/** Deletes the registration first: from then on no token can be issued for the application. */
export async function deleteClientApplication(gateway: GatewayRegistry, name: string): Promise<boolean> {
  const app = await gateway.clientApplications.get(name);
  if (!app) return false;
  if (app.entra) await directoryOf(gateway).deleteClientApplication(app.entra);
  return gateway.clientApplications.delete(name);
}

/** PUT productLinks/{link}: grants the product's role (admin consent) when both registrations exist. */
export async function linkProduct(
  gateway: GatewayRegistry,
  application: string,
  link: string,
  product: string,
): Promise<{ link: ProductLink; created: boolean }> {
  checkLinkName(link);
  const [app, linked] = await gateway.read((tx) =>
    Promise.all([tx.clientApplications.require(application), tx.products.get(product)]),
  );
  const directory = gateway.entra.current();
  const held = app.productLinks.some((l) => l.product === product && l.granted);
  const grant =
    directory && app.entra && linked?.entra && acceptsApplicationTokens(linked) && !held
      ? { directory, client: app.entra, product: linked.entra }
      : undefined;
  if (grant) await grant.directory.grantProduct(grant.client, grant.product);
  try {
    return await gateway.clientApplications.putLink(application, link, product, grant !== undefined || held);
  } catch (error) {
    return undo(async () => {
      if (grant) await grant.directory.revokeProduct(grant.client, grant.product);
    }, error);
  }
}

/** DELETE productLinks/{link}: the role assignment goes first, so the application's tokens lose the product. */
export async function unlinkProduct(gateway: GatewayRegistry, application: string, link: string): Promise<boolean> {
  const app = await gateway.clientApplications.get(application);
  const found = app?.productLinks.find((l) => l.name === link);
  if (app?.entra && found?.granted) {
    const product = await gateway.products.get(found.product);
    if (product?.entra) await directoryOf(gateway).revokeProduct(app.entra, product.entra);
  }
  return gateway.clientApplications.deleteLink(application, link);
}

/**
 * Registers the application if it is not yet and grants the links still pending whose product is registered:
 * the sync's step for what was stored without a directory, and listSecrets' when it comes first.
 */
export async function provisionClientApplication(
  gateway: GatewayRegistry,
  directory: EntraDirectory,
  app: ClientApplication,
): Promise<ClientApplication & { entra: ClientApplicationEntra }> {
  let entra = app.entra;
  if (!entra) {
    entra = await register(directory, app.name);
    if (!(await gateway.clientApplications.recordRegistration(app.name, entra))) {
      // Deleted while it was being registered: the registration must not outlive it.
      await directory.deleteClientApplication(entra);
      throw new GatewayNotFoundError("ClientApplication", app.name);
    }
  }
  const products = new Map((await gateway.products.list()).map((p) => [p.name, p]));
  const productLinks: ProductLink[] = [];
  for (const link of app.productLinks) {
    const product = products.get(link.product)?.entra;
    if (link.granted || !product) {
      productLinks.push(link);
      continue;
    }
    await directory.grantProduct(entra, product);
    await gateway.clientApplications.recordGrant(app.name, link.name, true);
    productLinks.push({ ...link, granted: true });
  }
  return { ...app, entra, productLinks };
}

/** listSecrets: a new secret valid one year, shown once; nothing of it is stored by the gateway. */
export async function addClientSecret(gateway: GatewayRegistry, name: string): Promise<ClientSecret> {
  const directory = directoryOf(gateway);
  const app = await gateway.clientApplications.get(name);
  if (!app) throw new GatewayNotFoundError("ClientApplication", name);
  const { entra } = app.entra ? { entra: app.entra } : await provisionClientApplication(gateway, directory, app);
  return directory.addClientSecret(entra);
}
