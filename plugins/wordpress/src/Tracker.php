<?php
namespace Cairn\WordPress;

/** Puts the tracker on public pages: deferred, configured by data-* attributes, never in admin. */
final class Tracker {
	public const HANDLE = 'cairn-tracker';

	public function __construct( private Settings $settings, private Tracker_Tag $tag ) {}

	public function hook(): void {
		add_action( 'wp_enqueue_scripts', [ $this, 'enqueue' ] );
		add_filter( 'wp_script_attributes', [ $this, 'script_attributes' ] );
	}

	public function enqueue(): void {
		if ( ! $this->should_track() ) {
			return;
		}
		// No version: a ?ver= query would make every release a new URL for caches and optimisers.
		wp_enqueue_script( self::HANDLE, $this->tag->src(), [], null, [ 'strategy' => 'defer', 'in_footer' => false ] );
	}

	/** wp_script_attributes: adds the data-* attributes to our tag only. */
	public function script_attributes( array $attributes ): array {
		if ( ( $attributes['id'] ?? '' ) !== self::HANDLE . '-js' ) {
			return $attributes;
		}
		return array_merge( $attributes, $this->tag->attributes() );
	}

	/** False for admin, previews, feeds, REST, the customizer, excluded roles, or no settings. */
	public function should_track(): bool {
		if ( ! $this->settings->is_configured() ) {
			return false;
		}
		if ( is_admin() || is_preview() || is_feed() || is_customize_preview() || wp_is_json_request() || ( defined( 'REST_REQUEST' ) && REST_REQUEST ) ) {
			return false;
		}
		if ( is_user_logged_in() ) {
			$roles = (array) wp_get_current_user()->roles;
			if ( array_intersect( $roles, (array) $this->settings->get( 'exclude_roles' ) ) ) {
				return false;
			}
		}
		return true;
	}
}
