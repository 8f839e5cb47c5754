/**
 * The names API Management gives the Entra objects of application-based access (reference apim.md §5.1): the
 * product's registration `APIMProductApplication<Product>` with the app role `Product.<product>.All`, and a client's
 * registration `APIMApplication<Name>`.
 */
const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export const productApplicationName = (productName: string) => `APIMProductApplication${capitalised(productName)}`;

export const productRoleValue = (productName: string) => `Product.${productName}.All`;

export const clientApplicationName = (name: string) => `APIMApplication${capitalised(name)}`;

/** The App ID URI a product application gets, which is also the audience of its tokens. */
export const applicationIdUri = (appId: string) => `api://${appId}`;
