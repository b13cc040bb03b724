<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Proxy;
use Cairn\WordPress\Tracker_Tag;

final class TrackerTagTest extends TestCase {
	private function tag( array $settings = [] ): Tracker_Tag {
		$s = $this->configure( $settings );
		return new Tracker_Tag( $s, new Proxy( $s ) );
	}

	public function test_the_default_tag_is_exactly_the_architecture_tag(): void {
		// ARCHITECTURE.md §1 and collector/src/sites/tracker-tag.ts, byte for byte.
		$this->assertSame(
			'<script defer src="https://stats.example.com/t.js" data-site="blog" data-api="https://stats.example.com/api/event"></script>',
			$this->tag()->html()
		);
	}

	public function test_a_collector_under_a_path_keeps_the_path(): void {
		$this->assertSame(
			'<script defer src="https://example.com/cairn/t.js" data-site="blog" data-api="https://example.com/cairn/api/event"></script>',
			$this->tag( [ 'collector_url' => 'https://example.com/cairn' ] )->html()
		);
	}

	public function test_each_feature_maps_to_its_data_attribute(): void {
		$cases = [
			[ [ 'hash' => true ], [ 'data-hash' => true ] ],
			[ [ 'respect_dnt' => true ], [ 'data-respect-dnt' => true ] ],
			[ [ 'vitals' => true ], [ 'data-vitals' => true ] ],
			[ [ 'exclude_paths' => '/checkout/* /account' ], [ 'data-exclude' => '/checkout/* /account' ] ],
			[ [ 'disable' => [ 'outbound', 'form' ] ], [ 'data-disable' => 'outbound form' ] ],
		];
		foreach ( $cases as [ $settings, $extra ] ) {
			wp_reset();
			$this->assertSame( [ 'data-site' => 'blog', 'data-api' => 'https://stats.example.com/api/event' ] + $extra, $this->tag( $settings )->attributes(), json_encode( $settings ) );
		}
	}

	public function test_all_features_together_in_html(): void {
		$html = $this->tag( [ 'hash' => true, 'respect_dnt' => true, 'disable' => [ 'spa' ], 'exclude_paths' => '/a' ] )->html();
		$this->assertSame( '<script defer src="https://stats.example.com/t.js" data-site="blog" data-api="https://stats.example.com/api/event" data-hash data-exclude="/a" data-disable="spa" data-respect-dnt></script>', $html );
	}

	public function test_with_the_proxy_script_events_and_vitals_are_first_party(): void {
		$tag = $this->tag( [ 'proxy' => true, 'vitals' => true ] );
		$this->assertSame( 'https://blog.example/wp-json/fwd/v1/p', $tag->src() );
		$this->assertSame( 'https://blog.example/wp-json/fwd/v1/e', $tag->attributes()['data-api'] );
		$this->assertSame( 'https://blog.example/wp-json/fwd/v1/v', $tag->attributes()['data-vitals'] );
		$this->assertStringNotContainsString( 'stats.example.com', $tag->html() );
		foreach ( [ 'cairn', 'analytics', 'track', 'stats' ] as $word ) {
			$this->assertStringNotContainsString( $word, $tag->src() . $tag->attributes()['data-api'], "blocklists match \"$word\"" );
		}
	}

	public function test_attribute_values_are_escaped(): void {
		$this->assertStringContainsString( 'data-exclude="/a&quot;&gt;&lt;x"', $this->tag( [ 'exclude_paths' => '/a"><x' ] )->html() );
	}
}
