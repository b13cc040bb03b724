<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Tracker;
use Cairn\WordPress\Tracker_Tag;

final class TrackerTest extends TestCase {
	private function tracker( array $settings = [] ): Tracker {
		$s = $this->configure( $settings );
		return new Tracker( $s, new Tracker_Tag( $s ) );
	}

	public function test_a_visitor_gets_the_deferred_script_without_a_version_query(): void {
		$this->tracker()->enqueue();
		$script = $GLOBALS['wp']['scripts'][ Tracker::HANDLE ];
		$this->assertSame( 'https://stats.example.com/t.js', $script['src'] );
		$this->assertNull( $script['ver'] );
		$this->assertSame( 'defer', $script['args']['strategy'] );
	}

	public function test_the_attributes_filter_adds_data_attributes_to_our_script_only(): void {
		$tracker = $this->tracker( [ 'hash' => true ] );
		$ours    = $tracker->script_attributes( [ 'id' => 'cairn-tracker-js', 'src' => 'https://stats.example.com/t.js', 'defer' => true ] );
		$this->assertSame( 'blog', $ours['data-site'] );
		$this->assertSame( 'https://stats.example.com/api/event', $ours['data-api'] );
		$this->assertTrue( $ours['data-hash'] );
		$this->assertTrue( $ours['defer'] );
		$other = [ 'id' => 'jquery-core-js', 'src' => '/jquery.js' ];
		$this->assertSame( $other, $tracker->script_attributes( $other ) );
	}

	/** @dataProvider skipped */
	public function test_no_script_where_it_must_not_count( string $why, callable $arrange ): void {
		$tracker = $this->tracker();
		$arrange();
		$tracker->enqueue();
		$this->assertArrayNotHasKey( Tracker::HANDLE, $GLOBALS['wp']['scripts'], $why );
	}

	public static function skipped(): array {
		$flag = static fn ( string $f ) => static function () use ( $f ) { $GLOBALS['wp']['flags'][ $f ] = true; };
		return [
			[ 'wp-admin', $flag( 'is_admin' ) ],
			[ 'a preview', $flag( 'is_preview' ) ],
			[ 'a feed', $flag( 'is_feed' ) ],
			[ 'the customizer', $flag( 'is_customize_preview' ) ],
			[ 'a REST/JSON request', $flag( 'wp_is_json_request' ) ],
			[ 'a logged-in administrator (default exclusion)', static function () { $GLOBALS['wp']['user'] = [ 'administrator' ]; } ],
			[ 'not configured', static function () { update_option( 'cairn_analytics', [ 'collector_url' => '', 'site_id' => '' ] ); } ],
		];
	}

	public function test_other_roles_are_counted_and_excluded_roles_follow_the_setting(): void {
		$GLOBALS['wp']['user'] = [ 'subscriber' ];
		$this->assertTrue( $this->tracker()->should_track() );
		$this->assertFalse( $this->tracker( [ 'exclude_roles' => [ 'subscriber' ] ] )->should_track() );
		$GLOBALS['wp']['user'] = [ 'administrator' ];
		$this->assertTrue( $this->tracker( [ 'exclude_roles' => [] ] )->should_track() );
	}

	public function test_every_hook_is_registered_by_hook(): void {
		$this->tracker()->hook();
		$this->assertArrayHasKey( 'wp_enqueue_scripts', $GLOBALS['wp']['filters'] );
		$this->assertArrayHasKey( 'wp_script_attributes', $GLOBALS['wp']['filters'] );
	}
}
