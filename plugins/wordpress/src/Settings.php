<?php
namespace Cairn\WordPress;

/**
 * The plugin's options: one array option for what may be shown, and the site key in its own
 * option (not autoloaded) because it is a secret that is never printed to a page.
 */
final class Settings {
	public const OPTION = 'cairn_analytics';
	public const KEY_OPTION = 'cairn_analytics_site_key';

	/** Features the tracker does by default and can be told to skip (data-disable). */
	public const DISABLEABLE = [ 'spa', 'engagement', 'outbound', 'tel', 'mailto', 'download', 'form', 'cta' ];

	public const DEFAULTS = [
		'collector_url' => '',
		'site_id'       => '',
		'exclude_roles' => [ 'administrator' ],
		'disable'       => [],
		'hash'          => false,
		'vitals'        => false,
		'respect_dnt'   => false,
		'exclude_paths' => '',
		'proxy'         => false,
	];

	/** Every setting, defaults filled in. */
	public function all(): array {
		$stored = get_option( self::OPTION, [] );
		return array_merge( self::DEFAULTS, is_array( $stored ) ? $stored : [] );
	}

	public function get( string $name ): mixed {
		return $this->all()[ $name ] ?? null;
	}

	/** The collector's base URL without a trailing slash ('' when not set). */
	public function collector_url(): string {
		return rtrim( (string) $this->get( 'collector_url' ), '/' );
	}

	public function site_key(): string {
		return (string) get_option( self::KEY_OPTION, '' );
	}

	/** True once the tracker can be emitted. */
	public function is_configured(): bool {
		return $this->collector_url() !== '' && $this->get( 'site_id' ) !== '';
	}

	/** Settings API sanitize callback for OPTION: anything unknown or malformed is dropped. */
	public function sanitize( mixed $input ): array {
		$input = is_array( $input ) ? $input : [];
		$out   = self::DEFAULTS;

		$url = self::normalise_url( (string) ( $input['collector_url'] ?? '' ) );
		if ( $url === null ) {
			add_settings_error( self::OPTION, 'collector_url', __( 'The collector URL must start with https:// or http:// and name a host.', 'cairn-analytics' ) );
			$url = (string) $this->get( 'collector_url' );
		}
		$out['collector_url'] = $url;

		$site = trim( sanitize_text_field( (string) ( $input['site_id'] ?? '' ) ) );
		if ( $site !== '' && ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $site ) ) {
			add_settings_error( self::OPTION, 'site_id', __( 'The site id is 1 to 64 letters, digits, "-" or "_" (copy it from the collector).', 'cairn-analytics' ) );
			$site = (string) $this->get( 'site_id' );
		}
		$out['site_id'] = $site;

		$roles                = array_keys( wp_roles()->get_names() );
		$out['exclude_roles'] = array_values( array_intersect( array_map( 'sanitize_key', (array) ( $input['exclude_roles'] ?? [] ) ), $roles ) );
		// The settings page sends what is counted ('count'); data-disable is the rest.
		$out['disable'] = array_key_exists( 'count', $input )
			? array_values( array_diff( self::DISABLEABLE, (array) $input['count'] ) )
			: array_values( array_intersect( (array) ( $input['disable'] ?? [] ), self::DISABLEABLE ) );

		foreach ( [ 'hash', 'vitals', 'respect_dnt', 'proxy' ] as $flag ) {
			$out[ $flag ] = ! empty( $input[ $flag ] );
		}

		// Paths are space separated in data-exclude; keep only path-like words.
		$paths                = preg_split( '/\s+/', sanitize_text_field( (string) ( $input['exclude_paths'] ?? '' ) ), -1, PREG_SPLIT_NO_EMPTY );
		$out['exclude_paths'] = implode( ' ', array_filter( $paths, static fn ( $p ) => str_starts_with( $p, '/' ) ) );

		// Who sees the stats is stored on the roles themselves (the capability), not in this option.
		if ( array_key_exists( 'view_roles', $input ) ) {
			Capability::assign( array_intersect( array_map( 'sanitize_key', (array) $input['view_roles'] ), $roles ) );
		}

		// The key comes in a field of its own; empty means "keep the stored one".
		if ( isset( $input['site_key'] ) ) {
			$key = trim( sanitize_text_field( (string) $input['site_key'] ) );
			if ( $key !== '' ) {
				update_option( self::KEY_OPTION, $key, false );
				Token_Client::forget();
			}
		}
		// Another collector or site: tokens and cached scripts from the old one are worthless.
		$before = $this->all();
		if ( $out['collector_url'] !== $before['collector_url'] || $out['site_id'] !== $before['site_id'] ) {
			Token_Client::forget();
			array_map( 'delete_transient', Proxy::script_transients() );
		}
		return $out;
	}

	/** 'https://Stats.Example.com/x/' → 'https://stats.example.com/x'; null when not an http(s) URL. */
	public static function normalise_url( string $url ): ?string {
		$url = trim( $url );
		if ( $url === '' ) {
			return '';
		}
		if ( ! preg_match( '#^[a-z][a-z0-9+.-]*://#i', $url ) ) {
			$url = 'https://' . $url;
		}
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) || ! in_array( strtolower( $parts['scheme'] ?? '' ), [ 'http', 'https' ], true ) ) {
			return null;
		}
		$out = strtolower( $parts['scheme'] ) . '://' . strtolower( $parts['host'] );
		if ( isset( $parts['port'] ) ) {
			$out .= ':' . (int) $parts['port'];
		}
		$out .= rtrim( $parts['path'] ?? '', '/' );
		return esc_url_raw( $out );
	}
}
