/** Whether `shop` is a shop's own hostname (`name.myshopify.com`), as Shopify's OAuth docs require checking. */
export function isShopHostname(shop: unknown): shop is string {
  return typeof shop === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/.test(shop);
}
