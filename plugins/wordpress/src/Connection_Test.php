<?php
namespace Cairn\WordPress;

/** The settings page's "Test connection": the collector's health check, then a token exchange. */
final class Connection_Test {
	public function __construct( private Settings $settings, private Token_Client $tokens ) {}

	/** ['ok' => bool, 'messages' => string[]] in plain words. */
	public function run(): array {
		$base = $this->settings->collector_url();
		if ( $base === '' ) {
			return [ 'ok' => false, 'messages' => [ __( 'No collector URL yet: enter the address of your Cairn collector, e.g. https://stats.example.com.', 'cairn-analytics' ) ] ];
		}
		$messages = [];
		$response = wp_remote_get( $base . '/healthz', [ 'timeout' => 5 ] );
		if ( is_wp_error( $response ) ) {
			/* translators: %1$s: URL, %2$s: network error */
			return [ 'ok' => false, 'messages' => [ sprintf( __( 'This server cannot reach %1$s (%2$s). Check the URL, DNS and any firewall between WordPress and the collector.', 'cairn-analytics' ), $base, $response->get_error_message() ) ] ];
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$health = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( ! is_array( $health ) || ! isset( $health['status'] ) ) {
			/* translators: %1$s: URL, %2$d: HTTP status */
			return [ 'ok' => false, 'messages' => [ sprintf( __( '%1$s answered HTTP %2$d but is not a Cairn collector (no health check at /healthz). Check the URL.', 'cairn-analytics' ), $base, $status ) ] ];
		}
		$ok = $status === 200;
		$messages[] = $ok
			/* translators: %s: collector version */
			? sprintf( __( 'The collector is up (version %s).', 'cairn-analytics' ), (string) ( $health['version'] ?? '?' ) )
			: __( 'The collector answers but its storage is not healthy: look at the collector\'s logs.', 'cairn-analytics' );

		if ( $this->settings->get( 'site_id' ) === '' ) {
			$ok         = false;
			$messages[] = __( 'No site id yet: the tracker is not added to pages until you enter one.', 'cairn-analytics' );
		}
		if ( $this->settings->site_key() === '' ) {
			$messages[] = __( 'No site key yet: the tracker works without one, but the dashboard in wp-admin needs it.', 'cairn-analytics' );
			return [ 'ok' => false, 'messages' => $messages ];
		}
		$token = $this->tokens->get( true );
		if ( is_wp_error( $token ) ) {
			$messages[] = $token->get_error_message();
			return [ 'ok' => false, 'messages' => $messages ];
		}
		$messages[] = sprintf( /* translators: %s: sections */ __( 'The site key works: the dashboard can show %s.', 'cairn-analytics' ), implode( ', ', $token['sections'] ) );
		// Plain permalinks (?p=123): each post is a page of its own only if the site keeps p and page_id.
		$missing = array_diff( [ 'p', 'page_id' ], $token['queryKeys'] ?? [] );
		if ( (string) get_option( 'permalink_structure' ) === '' && $missing !== [] ) {
			$messages[] = sprintf(
				/* translators: %s: query parameters such as "p, page_id" */
				__( 'This site uses plain permalinks (?p=123), so Cairn counts every post and page as the home page. In Cairn, add %s to the site\'s "Query parameters to keep" (in the site\'s settings, under Site), or choose another structure in Settings › Permalinks.', 'cairn-analytics' ),
				implode( ', ', $missing )
			);
		}
		return [ 'ok' => $ok, 'messages' => $messages ];
	}
}
