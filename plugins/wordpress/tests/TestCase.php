<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Settings;

abstract class TestCase extends \PHPUnit\Framework\TestCase {
	protected const KEY = 'cairn_sk_s3cr3t-KEY-value';

	protected function setUp(): void {
		wp_reset();
	}

	/** Stores settings as the settings page would have saved them. */
	protected function configure( array $settings = [], ?string $key = self::KEY ): Settings {
		update_option( Settings::OPTION, $settings + [ 'collector_url' => 'https://stats.example.com', 'site_id' => 'blog' ] );
		if ( $key !== null ) {
			update_option( Settings::KEY_OPTION, $key );
		}
		return new Settings();
	}

	/** A 201 from POST /api/tokens/view, expiring $in seconds from now. */
	protected function token_answer( int $in = 3600, string $token = 'cairn_vt_abc', string $site = 'blog', array $query_keys = [] ): void {
		wp_respond( 201, json_encode( [ 'token' => $token, 'site' => $site, 'sections' => [ 'traffic', 'sources', 'goals', 'realtime', 'export' ], 'expiresAt' => gmdate( 'Y-m-d\TH:i:s.000\Z', time() + $in ), 'queryKeys' => $query_keys ] ) );
	}
}
