<?php
namespace Cairn\WordPress;

/**
 * WooCommerce: a `purchase` event with the order's revenue, sent by the visitor's browser from
 * the order-received page (so it belongs to their visit), once per order. The numbers travel in
 * data-* attributes read by assets/purchase.js: no inline script, so a strict CSP still works.
 * Create an event goal "purchase" with revenue prop "revenue" on the collector to see the sums.
 */
final class WooCommerce {
	public const META = '_cairn_purchase_sent';

	public function __construct( private Tracker $tracker ) {}

	public function hook(): void {
		add_action( 'woocommerce_thankyou', [ $this, 'thank_you' ] );
	}

	public function thank_you( mixed $order_id ): void {
		if ( ! function_exists( 'wc_get_order' ) || ! $this->tracker->should_track() ) {
			return;
		}
		$order = wc_get_order( $order_id );
		if ( ! $order || $order->has_status( 'failed' ) || $order->get_meta( self::META ) ) {
			return;
		}
		// Reloading the page must not count the purchase twice.
		$order->update_meta_data( self::META, time() );
		$order->save();
		echo $this->marker( (float) $order->get_total(), (string) $order->get_currency() ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in marker().
		wp_enqueue_script( 'cairn-purchase', plugins_url( 'assets/purchase.js', CAIRN_ANALYTICS_FILE ), [], CAIRN_ANALYTICS_VERSION, [ 'in_footer' => true, 'strategy' => 'defer' ] );
	}

	/** The hidden element purchase.js reads. */
	public function marker( float $revenue, string $currency ): string {
		return sprintf( '<span hidden data-cairn-purchase data-revenue="%s" data-currency="%s"></span>', esc_attr( (string) round( $revenue, 2 ) ), esc_attr( $currency ) );
	}
}
