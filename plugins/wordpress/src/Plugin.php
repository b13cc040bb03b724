<?php
namespace Cairn\WordPress;

/** Builds the plugin's parts once and lets each register its own hooks. */
final class Plugin {
	public function hook(): void {
		$settings = new Settings();
		$proxy    = new Proxy( $settings );
		$tag      = new Tracker_Tag( $settings, $proxy );
		$tracker  = new Tracker( $settings, $tag );
		$tokens   = new Token_Client( $settings );

		$parts = [ $tracker, $proxy, new Optimizer_Compat( $tag ), new Token_Route( $tokens ), new WooCommerce( $tracker ) ];
		if ( is_admin() ) {
			$parts[] = new Settings_Page( $settings, new Connection_Test( $settings, $tokens ) );
			$parts[] = new Admin_Pages( $settings, $tokens );
		}
		foreach ( $parts as $part ) {
			$part->hook();
		}
	}
}
