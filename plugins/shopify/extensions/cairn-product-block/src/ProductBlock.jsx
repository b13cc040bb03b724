/**
 * The product details block (admin.product-details.block.render): the product's last 30 days in
 * Cairn, from the app server's GET /api/product-stats (plugins/shopify/src/product-stats.ts).
 * A relative fetch goes to the app's URL and Shopify adds the session token to it
 * (shopify.dev, Admin UI extensions, "App authentication"); the server checks it like App Bridge's.
 */
import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

export default async () => {
  render(<ProductBlock />, document.body);
};

function ProductBlock() {
  const { i18n, data } = shopify;
  const product = data.selected[0]?.id;
  const [state, setState] = useState({ status: 'loading' });

  const load = useCallback(async () => {
    setState({ status: 'loading' });
    try {
      const res = await fetch(`/api/product-stats?product=${encodeURIComponent(product)}`);
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      setState({ status: 'ready', stats: body });
    } catch (err) {
      setState({ status: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }, [product]);
  useEffect(() => {
    void load();
  }, [load]);

  const n = (value) => i18n.formatNumber(value);
  const heading = i18n.translate('heading');

  if (state.status === 'loading') {
    return (
      <s-admin-block heading={heading}>
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-spinner accessibilityLabel={i18n.translate('loading')} />
          <s-text color="subdued">{i18n.translate('loading')}</s-text>
        </s-stack>
      </s-admin-block>
    );
  }
  if (state.status === 'error') {
    return (
      <s-admin-block heading={heading}>
        <s-banner tone="critical">
          <s-paragraph>{i18n.translate('error', { message: state.message })}</s-paragraph>
          <s-button slot="secondary-actions" onClick={load}>
            {i18n.translate('retry')}
          </s-button>
        </s-banner>
      </s-admin-block>
    );
  }
  const { viewers, addToCarts, unitsSold, orders } = state.stats;
  if (viewers + addToCarts + unitsSold === 0) {
    return (
      <s-admin-block heading={heading}>
        <s-text color="subdued">{i18n.translate('empty')}</s-text>
      </s-admin-block>
    );
  }
  return (
    <s-admin-block heading={heading} collapsedSummary={i18n.translate('summary', { viewers: n(viewers), units: n(unitsSold) })}>
      <s-grid gridTemplateColumns="1fr 1fr 1fr" gap="base">
        <Figure label={i18n.translate('viewers')} value={n(viewers)} />
        <Figure label={i18n.translate('addToCarts')} value={n(addToCarts)} />
        <Figure label={i18n.translate('unitsSold')} value={n(unitsSold)} note={i18n.translate('orders', { count: orders })} />
      </s-grid>
    </s-admin-block>
  );
}

function Figure({ label, value, note }) {
  return (
    <s-stack gap="small-300">
      <s-text color="subdued">{label}</s-text>
      <s-heading>{value}</s-heading>
      {note ? <s-text color="subdued">{note}</s-text> : null}
    </s-stack>
  );
}
