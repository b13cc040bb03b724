<?php
namespace Cairn\WordPress;

/**
 * Exchanges the site key for a view token (POST /api/tokens/view, docs/api/sites.md) and keeps it
 * in a transient until five minutes before it expires. The key is sent only to the collector:
 * it is never returned, logged, or put in an error message.
 */
final class Token_Client {
	public const TRANSIENT = 'cairn_view_token';
	/** A token is handed out only while it has at least this long to live. */
	public const MARGIN = 300;

	public function __construct( private Settings $settings ) {}

	/**
	 * The current view token: ['token', 'site', 'sections', 'expiresAt', 'queryKeys'], or a WP_Error whose
	 * message says in plain words what is wrong. $fresh skips the cache (a revoked token).
	 */
	public function get( bool $fresh = false ): array|\WP_Error {
		if ( ! $fresh ) {
			$cached = get_transient( self::TRANSIENT );
			if ( is_array( $cached ) && strtotime( $cached['expiresAt'] ) - time() > self::MARGIN ) {
				return $cached;
			}
		}
		$token = $this->request();
		if ( ! is_wp_error( $token ) ) {
			$ttl = strtotime( $token['expiresAt'] ) - time() - self::MARGIN;
			if ( $ttl > 0 ) {
				set_transient( self::TRANSIENT, $token, $ttl );
			}
		}
		return $token;
	}

	/** Drops the cached token (the key or the site changed). */
	public static function forget(): void {
		delete_transient( self::TRANSIENT );
	}

	private function request(): array|\WP_Error {
		$base = $this->settings->collector_url();
		$key  = $this->settings->site_key();
		if ( $base === '' || $key === '' ) {
			return new \WP_Error( 'cairn_not_configured', __( 'Enter the collector URL and the site key in Settings › Cairn Analytics.', 'cairn-analytics' ) );
		}
		// No sections: the token may see everything the site key allows.
		$response = wp_remote_post( $base . '/api/tokens/view', [
			'timeout' => 10,
			'headers' => [ 'Authorization' => 'Bearer ' . $key, 'Content-Type' => 'application/json' ],
			'body'    => '{}',
		] );
		if ( is_wp_error( $response ) ) {
			/* translators: %1$s: the collector URL, %2$s: the network error */
			return new \WP_Error( 'cairn_unreachable', sprintf( __( 'The collector at %1$s could not be reached (%2$s). Check the collector URL and that the server is running.', 'cairn-analytics' ), $base, $this->redact( $response->get_error_message() ) ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$body   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( $status === 201 && is_array( $body ) && isset( $body['token'], $body['expiresAt'] ) && strtotime( (string) $body['expiresAt'] ) ) {
			$site = (string) $this->settings->get( 'site_id' );
			if ( $site !== '' && isset( $body['site'] ) && $body['site'] !== $site ) {
				/* translators: %1$s: site id the key belongs to, %2$s: configured site id */
				return new \WP_Error( 'cairn_wrong_site', sprintf( __( 'The site key belongs to site "%1$s", but the site id is "%2$s". Copy both from the same site.', 'cairn-analytics' ), $body['site'], $site ) );
			}
			return [
				'token'     => (string) $body['token'],
				'site'      => (string) ( $body['site'] ?? $site ),
				'sections'  => (array) ( $body['sections'] ?? [] ),
				'expiresAt' => (string) $body['expiresAt'],
				'queryKeys' => array_map( 'strval', (array) ( $body['queryKeys'] ?? [] ) ),
			];
		}
		return new \WP_Error( 'cairn_token_refused', $this->explain( $status ) );
	}

	private function explain( int $status ): string {
		return match ( true ) {
			$status === 401 => __( 'The collector refused the site key: it is wrong or was revoked. Create a new key for this site on the collector and paste it here.', 'cairn-analytics' ),
			$status === 403 => __( 'The collector says this site was deleted.', 'cairn-analytics' ),
			$status === 404 => __( 'The collector URL answers, but not like a Cairn collector (no /api/tokens/view). Check the URL.', 'cairn-analytics' ),
			$status === 429 => __( 'The collector is rate limiting this server; try again in a minute.', 'cairn-analytics' ),
			$status >= 500  => sprintf( /* translators: %d: HTTP status */ __( 'The collector had an internal error (HTTP %d). Look at its logs.', 'cairn-analytics' ), $status ),
			default         => sprintf( /* translators: %d: HTTP status */ __( 'The collector answered the token request with an unexpected HTTP %d.', 'cairn-analytics' ), $status ),
		};
	}

	/** A transport error message never carries the key, whatever the HTTP library put in it. */
	private function redact( string $message ): string {
		$key = $this->settings->site_key();
		return $key === '' ? $message : str_replace( $key, '[site key]', $message );
	}
}
