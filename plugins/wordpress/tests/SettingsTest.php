<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Capability;
use Cairn\WordPress\Settings;

final class SettingsTest extends TestCase {
	public function test_collector_urls_are_normalised(): void {
		$cases = [
			'https://Stats.Example.com/'       => 'https://stats.example.com',
			'  https://stats.example.com//  '  => 'https://stats.example.com',
			'stats.example.com'                => 'https://stats.example.com',
			'http://127.0.0.1:8800/'           => 'http://127.0.0.1:8800',
			'https://example.com/cairn/'       => 'https://example.com/cairn',
			''                                 => '',
		];
		foreach ( $cases as $in => $out ) {
			$this->assertSame( $out, Settings::normalise_url( $in ), $in );
		}
		foreach ( [ 'ftp://example.com', 'javascript:alert(1)', 'https://' ] as $bad ) {
			$this->assertNull( Settings::normalise_url( $bad ), $bad );
		}
	}

	public function test_a_bad_url_or_site_id_is_reported_and_the_old_value_kept(): void {
		$s   = $this->configure();
		$out = $s->sanitize( [ 'collector_url' => 'ftp://x', 'site_id' => 'no spaces please' ] );
		$this->assertSame( 'https://stats.example.com', $out['collector_url'] );
		$this->assertSame( 'blog', $out['site_id'] );
		$this->assertSame( [ 'collector_url', 'site_id' ], $GLOBALS['wp']['errors'] );
	}

	public function test_site_ids_follow_the_collector_format(): void {
		$s = $this->configure();
		$this->assertSame( 'my_site-2', $s->sanitize( [ 'site_id' => ' my_site-2 ' ] )['site_id'] );
		$this->assertSame( [], $GLOBALS['wp']['errors'] );
		$this->assertSame( 'blog', $s->sanitize( [ 'site_id' => str_repeat( 'a', 65 ) ] )['site_id'] );
	}

	public function test_roles_are_only_existing_roles(): void {
		$out = $this->configure()->sanitize( [ 'exclude_roles' => [ 'Editor', 'administrator', 'pirate', '<b>' ] ] );
		$this->assertSame( [ 'editor', 'administrator' ], $out['exclude_roles'] );
		$this->assertSame( [], $this->configure()->sanitize( [] )['exclude_roles'] );
	}

	public function test_who_sees_the_stats_is_the_capability_of_the_chosen_roles_and_always_administrators(): void {
		$GLOBALS['wp']['role_caps'] = [ 'administrator' => [], 'editor' => [], 'subscriber' => [ Capability::VIEW => true ] ];
		$s = $this->configure();
		$s->sanitize( [ 'view_roles' => [ '', 'Editor', 'pirate' ] ] );
		$this->assertSame( [ 'administrator', 'editor' ], Capability::roles() );
		// The box list arrives empty: administrators keep it, everyone else loses it.
		$s->sanitize( [ 'view_roles' => [ '' ] ] );
		$this->assertSame( [ 'administrator' ], Capability::roles() );
		// Saving the option from code, without the field, leaves the roles alone.
		$GLOBALS['wp']['role_caps']['editor'][ Capability::VIEW ] = true;
		$s->sanitize( [ 'site_id' => 'blog' ] );
		$this->assertSame( [ 'administrator', 'editor' ], Capability::roles() );
	}

	public function test_defaults_exclude_administrators(): void {
		update_option( Settings::OPTION, [] );
		$this->assertSame( [ 'administrator' ], ( new Settings() )->get( 'exclude_roles' ) );
	}

	public function test_counted_checkboxes_become_data_disable(): void {
		$s = $this->configure();
		$this->assertSame( [ 'tel', 'mailto', 'cta' ], $s->sanitize( [ 'count' => [ '', 'spa', 'engagement', 'outbound', 'download', 'form' ] ] )['disable'] );
		$this->assertSame( Settings::DISABLEABLE, $s->sanitize( [ 'count' => [ '' ] ] )['disable'] );
		$this->assertSame( [ 'form' ], $s->sanitize( [ 'disable' => [ 'form', 'everything' ] ] )['disable'] );
	}

	public function test_flags_and_paths(): void {
		$out = $this->configure()->sanitize( [ 'hash' => '1', 'proxy' => 'on', 'exclude_paths' => "/a/*  /b\n notapath <script>" ] );
		$this->assertTrue( $out['hash'] );
		$this->assertTrue( $out['proxy'] );
		$this->assertFalse( $out['vitals'] );
		$this->assertSame( '/a/* /b', $out['exclude_paths'] );
	}

	public function test_the_site_key_is_kept_apart_and_an_empty_field_keeps_it(): void {
		$s   = $this->configure( [], null );
		$out = $s->sanitize( [ 'site_key' => ' new-key ' ] );
		$this->assertArrayNotHasKey( 'site_key', $out );
		$this->assertSame( 'new-key', get_option( Settings::KEY_OPTION ) );
		$s->sanitize( [ 'site_key' => '' ] );
		$this->assertSame( 'new-key', get_option( Settings::KEY_OPTION ) );
	}

	public function test_changing_collector_forgets_the_cached_token(): void {
		$s = $this->configure();
		set_transient( 'cairn_view_token', [ 'token' => 'old' ], 100 );
		$s->sanitize( [ 'collector_url' => 'https://other.example.com', 'site_id' => 'blog' ] );
		$this->assertFalse( get_transient( 'cairn_view_token' ) );
	}
}
