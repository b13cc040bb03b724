<?php
namespace Cairn\WordPress;

/**
 * The optional first-party proxy: serves the tracker and takes its events on this site, under
 * neutral REST paths (/wp-json/fwd/v1/p, /v and /e) that ad blocklists do not match, and
 * forwards them to the collector with the visitor's IP and user agent, which the collector needs
 * to count a visitor (and then discards: ARCHITECTURE.md §3).
 */
final class Proxy {
	public const NS = 'fwd/v1';
	public const SCRIPT_TTL = 3600;
	/** The collector's cap on one request (a batch of events): larger bodies are not forwarded. */
	public const MAX_BODY = 65536;
	/**
	 * The visitor's request headers the collector reads besides the address: the user agent (the
	 * visitor hash, the browser), Sec-CH-UA (automated browsers) and Sec-Purpose/Purpose
	 * (prefetches, which are not views). The protocol's list (collector/src/protocol/forwarding.json,
	 * with MAX_BODY); a test keeps them equal.
	 */
	public const FORWARDED_HEADERS = [ 'user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose' ];
	/**
	 * Proxy path => the collector's script it serves. No ".js" in the paths: servers commonly
	 * answer *.js from disk only (nginx static locations, `php -S`), so it would never reach PHP.
	 */
	private const SCRIPTS = [ '/p' => '/t.js', '/v' => '/t-v.js' ];

	public function __construct( private Settings $settings ) {}

	public function hook(): void {
		add_action( 'rest_api_init', [ $this, 'register_routes' ] );
		add_filter( 'rest_pre_serve_request', [ $this, 'serve_script' ], 10, 4 );
	}

	/** The transients the cached scripts live in (uninstall and a settings change drop them). */
	public static function script_transients(): array {
		return array_map( static fn ( $path ) => 'cairn_proxy_' . md5( $path ), array_keys( self::SCRIPTS ) );
	}

	public function script_url(): string {
		return rest_url( self::NS . '/p' );
	}

	public function vitals_url(): string {
		return rest_url( self::NS . '/v' );
	}

	public function event_url(): string {
		return rest_url( self::NS . '/e' );
	}

	public function register_routes(): void {
		if ( ! $this->settings->get( 'proxy' ) || ! $this->settings->is_configured() ) {
			return;
		}
		foreach ( array_keys( self::SCRIPTS ) as $path ) {
			register_rest_route( self::NS, $path, [
				'methods'             => 'GET',
				'callback'            => fn () => $this->script( $path ),
				// Public: the tracker is loaded by every visitor, like any theme script.
				'permission_callback' => '__return_true',
			] );
		}
		register_rest_route( self::NS, '/e', [
			'methods'             => 'POST',
			'callback'            => [ $this, 'event' ],
			// Public: anonymous visitors send events; the collector validates them.
			'permission_callback' => '__return_true',
		] );
	}

	/** The collector's script, cached briefly so that not every page view reaches the collector. */
	public function script( string $path ): \WP_REST_Response {
		$transient = self::script_transients()[ array_search( $path, array_keys( self::SCRIPTS ), true ) ];
		$body      = get_transient( $transient );
		if ( ! is_string( $body ) ) {
			$response = wp_remote_get( $this->settings->collector_url() . self::SCRIPTS[ $path ], [ 'timeout' => 5 ] );
			if ( is_wp_error( $response ) || wp_remote_retrieve_response_code( $response ) !== 200 ) {
				return new \WP_REST_Response( '/* the analytics script is unavailable */', 502, [ 'Content-Type' => 'application/javascript; charset=utf-8', 'Cache-Control' => 'no-store' ] );
			}
			$body = (string) wp_remote_retrieve_body( $response );
			set_transient( $transient, $body, self::SCRIPT_TTL );
		}
		return new \WP_REST_Response( $body, 200, [
			'Content-Type'  => 'application/javascript; charset=utf-8',
			'Cache-Control' => 'public, max-age=' . self::SCRIPT_TTL,
		] );
	}

	/** Forwards the body of one event request, as it came, and answers with the collector's answer. */
	public function event( \WP_REST_Request $request ): \WP_REST_Response {
		if ( strlen( $request->get_body() ) > self::MAX_BODY ) {
			return new \WP_REST_Response( [ 'error' => [ 'code' => 'too_large', 'message' => 'An event batch is at most 64 KB.' ] ], 413 );
		}
		$headers = [
			'Content-Type'    => $request->get_header( 'content_type' ) === 'application/json' ? 'application/json' : 'text/plain',
			// The collector derives the (daily, salted) visitor from the address and the user agent.
			'X-Forwarded-For' => $this->visitor_ip(),
		];
		foreach ( self::FORWARDED_HEADERS as $name ) {
			// WordPress keeps request headers under lower-case names with "_" for "-".
			$value = $request->get_header( str_replace( '-', '_', $name ) );
			if ( $value !== null && $value !== '' ) {
				$headers[ $name ] = (string) $value;
			}
		}
		$response = wp_remote_post( $this->settings->collector_url() . '/api/event', [
			'timeout' => 5,
			'headers' => $headers,
			'body'    => $request->get_body(),
		] );
		if ( is_wp_error( $response ) ) {
			return new \WP_REST_Response( [ 'error' => [ 'code' => 'collector_unreachable', 'message' => 'The collector could not be reached.' ] ], 502 );
		}
		$out = new \WP_REST_Response( json_decode( (string) wp_remote_retrieve_body( $response ), true ), (int) wp_remote_retrieve_response_code( $response ) );
		$retry = wp_remote_retrieve_header( $response, 'retry-after' );
		if ( $retry !== '' ) {
			$out->header( 'Retry-After', (string) $retry );
		}
		return $out;
	}

	/** Writes our scripts as JavaScript instead of the JSON the REST server would make of them. */
	public function serve_script( bool $served, mixed $result, mixed $request, mixed $server ): bool {
		if ( $served || ! $request instanceof \WP_REST_Request || ! $result instanceof \WP_REST_Response ) {
			return $served;
		}
		$route = $request->get_route();
		if ( ! isset( self::SCRIPTS[ substr( $route, strlen( '/' . self::NS ) ) ] ) || ! str_starts_with( $route, '/' . self::NS . '/' ) ) {
			return $served;
		}
		echo $result->get_data(); // phpcs:ignore WordPress.Security.EscapeOutput -- JavaScript from the configured collector, served as application/javascript.
		return true;
	}

	/**
	 * REMOTE_ADDR: the address that connected. Forwarded headers sent by the visitor are not
	 * trusted (anyone can write them); a site behind its own reverse proxy can correct this with
	 * the cairn_analytics_visitor_ip filter.
	 */
	private function visitor_ip(): string {
		$ip = filter_var( $_SERVER['REMOTE_ADDR'] ?? '', FILTER_VALIDATE_IP ) ?: '';
		return (string) apply_filters( 'cairn_analytics_visitor_ip', $ip );
	}
}
