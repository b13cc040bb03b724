<?php
namespace Cairn\WordPress;

/**
 * The tracker tag (ARCHITECTURE.md §1):
 * <script defer src="BASE/t.js" data-site="ID" data-api="BASE/api/event"></script>
 * plus the feature data-* attributes of docs/tracker.md.
 * Keep in sync with collector/src/sites/tracker-tag.ts (this plugin cannot import it).
 */
final class Tracker_Tag {
	public function __construct( private Settings $settings, private ?Proxy $proxy = null ) {}

	/** The script's URL: the collector's t.js, or the first-party proxy's. */
	public function src(): string {
		if ( $this->proxy && $this->settings->get( 'proxy' ) ) {
			return $this->proxy->script_url();
		}
		return $this->settings->collector_url() . '/t.js';
	}

	/** The data-* attributes, in the tag's order (data-site, data-api, then features). */
	public function attributes(): array {
		$s     = $this->settings;
		$api   = ( $this->proxy && $s->get( 'proxy' ) ) ? $this->proxy->event_url() : $s->collector_url() . '/api/event';
		$attrs = [
			'data-site' => (string) $s->get( 'site_id' ),
			'data-api'  => $api,
		];
		if ( $s->get( 'hash' ) ) {
			$attrs['data-hash'] = true;
		}
		if ( $s->get( 'exclude_paths' ) !== '' ) {
			$attrs['data-exclude'] = (string) $s->get( 'exclude_paths' );
		}
		if ( $s->get( 'disable' ) ) {
			$attrs['data-disable'] = implode( ' ', (array) $s->get( 'disable' ) );
		}
		if ( $s->get( 'respect_dnt' ) ) {
			$attrs['data-respect-dnt'] = true;
		}
		if ( $s->get( 'vitals' ) ) {
			// Through the proxy, t-v.js would be looked up next to p.js, where it is not: name it.
			$attrs['data-vitals'] = ( $this->proxy && $s->get( 'proxy' ) ) ? $this->proxy->vitals_url() : true;
		}
		return $attrs;
	}

	/** The whole tag as HTML (for pages that print it themselves, and to test it against §1). */
	public function html(): string {
		$out = '<script defer src="' . esc_url( $this->src() ) . '"';
		foreach ( $this->attributes() as $name => $value ) {
			$out .= $value === true ? ' ' . $name : ' ' . $name . '="' . esc_attr( $value ) . '"';
		}
		return $out . '></script>';
	}
}
