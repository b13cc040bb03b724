<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Optimizer_Compat;
use Cairn\WordPress\Proxy;
use Cairn\WordPress\Tracker_Tag;

final class OptimizerCompatTest extends TestCase {
	private function hooked( array $settings = [] ): void {
		$s = $this->configure( $settings );
		( new Optimizer_Compat( new Tracker_Tag( $s, new Proxy( $s ) ) ) )->hook();
	}

	public function test_url_lists_of_each_optimiser_get_the_script_path_appended(): void {
		$this->hooked();
		foreach ( [ 'rocket_delay_js_exclusions', 'rocket_exclude_defer_js', 'rocket_exclude_js', 'rocket_minify_excluded_external_js', 'litespeed_optimize_js_excludes', 'litespeed_optm_js_defer_exc', 'litespeed_optm_gm_js_exc', 'sgo_javascript_combine_excluded_external_paths', 'wp-optimize-minify-default-exclusions' ] as $filter ) {
			$this->assertSame( [ '/theirs.js', '/t.js', 'cairn-tracker' ], apply_filters( $filter, [ '/theirs.js' ] ), $filter );
		}
	}

	public function test_siteground_handle_lists_get_the_handle(): void {
		$this->hooked();
		foreach ( [ 'sgo_javascript_combine_exclude', 'sgo_js_minify_exclude', 'sgo_js_async_exclude' ] as $filter ) {
			$this->assertSame( [ 'jquery', 'cairn-tracker' ], apply_filters( $filter, [ 'jquery' ] ), $filter );
		}
	}

	public function test_autoptimize_gets_a_comma_separated_string(): void {
		$this->hooked();
		$this->assertSame( 'seal.js, js/jquery/jquery.js, /t.js, cairn-tracker', apply_filters( 'autoptimize_filter_js_exclude', 'seal.js, js/jquery/jquery.js' ) );
		$this->assertSame( '/t.js, cairn-tracker', apply_filters( 'autoptimize_filter_js_exclude', '' ) );
	}

	public function test_through_the_proxy_the_proxy_path_is_excluded(): void {
		$this->hooked( [ 'proxy' => true ] );
		$this->assertContains( '/wp-json/fwd/v1/p', apply_filters( 'rocket_delay_js_exclusions', [] ) );
	}

	public function test_a_list_that_is_not_an_array_does_not_break(): void {
		$this->hooked();
		$this->assertSame( [ '/t.js', 'cairn-tracker' ], apply_filters( 'rocket_delay_js_exclusions', null ) );
	}
}
