<?php
namespace Cairn\WordPress;

/**
 * Keeps the common optimisers away from the tracker: delaying it until a user interaction loses
 * bounces and engagement, and combining/minifying it into a bundle drops its data-* attributes.
 * The filters are registered whether or not an optimiser is active: a filter nobody applies
 * costs nothing, and the plugins' own load order then does not matter.
 */
final class Optimizer_Compat {
	public function __construct( private Tracker_Tag $tag ) {}

	public function hook(): void {
		// URL fragments.
		foreach ( [
			'rocket_delay_js_exclusions',          // WP Rocket: Delay JavaScript execution.
			'rocket_exclude_defer_js',             // WP Rocket: Load JavaScript deferred.
			'rocket_exclude_js',                   // WP Rocket: minify/combine (local files).
			'rocket_minify_excluded_external_js',  // WP Rocket: combine (external hosts).
			'litespeed_optimize_js_excludes',      // LiteSpeed Cache: minify/combine.
			'litespeed_optm_js_defer_exc',         // LiteSpeed Cache: defer/delay.
			'litespeed_optm_gm_js_exc',            // LiteSpeed Cache: guest mode.
			'sgo_javascript_combine_excluded_external_paths', // SiteGround Optimizer: combine.
			'wp-optimize-minify-default-exclusions', // WP-Optimize: minify/combine/defer.
		] as $filter ) {
			add_filter( $filter, [ $this, 'exclude_patterns' ] );
		}
		// Script handles.
		foreach ( [ 'sgo_javascript_combine_exclude', 'sgo_js_minify_exclude', 'sgo_js_async_exclude' ] as $filter ) {
			add_filter( $filter, [ $this, 'exclude_handle' ] );
		}
		// Autoptimize takes a comma-separated string.
		add_filter( 'autoptimize_filter_js_exclude', [ $this, 'exclude_csv' ] );
	}

	/** The fragments that identify the tracker's script URL. */
	public function patterns(): array {
		$path = (string) wp_parse_url( $this->tag->src(), PHP_URL_PATH );
		return array_values( array_unique( array_filter( [ $path, Tracker::HANDLE ] ) ) );
	}

	public function exclude_patterns( mixed $list ): array {
		$list = is_array( $list ) ? $list : ( is_string( $list ) && $list !== '' ? [ $list ] : [] );
		return array_values( array_unique( array_merge( $list, $this->patterns() ) ) );
	}

	public function exclude_handle( mixed $handles ): array {
		$handles   = is_array( $handles ) ? $handles : [];
		$handles[] = Tracker::HANDLE;
		return array_values( array_unique( $handles ) );
	}

	public function exclude_csv( mixed $csv ): string {
		$items = array_filter( array_map( 'trim', explode( ',', is_string( $csv ) ? $csv : '' ) ) );
		return implode( ', ', array_unique( array_merge( $items, $this->patterns() ) ) );
	}
}
