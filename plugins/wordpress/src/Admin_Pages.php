<?php
namespace Cairn\WordPress;

/**
 * The stats in wp-admin: Dashboard › Cairn (<cairn-dashboard>), a dashboard widget (last 7 days)
 * and, for a published post, <cairn-page-stats> for its path: a panel of the block editor's
 * sidebar (assets/editor.js), or a meta box in the classic editor. The view token is minted on
 * this server and printed into the page; assets/admin.js renews it.
 */
final class Admin_Pages {
	public const PAGE = 'cairn-stats';

	private array|\WP_Error|null $token = null;
	private bool $error_shown = false;

	public function __construct( private Settings $settings, private Token_Client $tokens ) {}

	public function hook(): void {
		add_action( 'admin_menu', [ $this, 'menu' ] );
		add_action( 'wp_dashboard_setup', [ $this, 'dashboard_widget' ] );
		add_action( 'add_meta_boxes', [ $this, 'meta_box' ], 10, 2 );
		add_action( 'admin_enqueue_scripts', [ $this, 'enqueue' ] );
	}

	public function menu(): void {
		add_dashboard_page( __( 'Cairn Analytics', 'cairn-analytics' ), __( 'Cairn', 'cairn-analytics' ), Capability::VIEW, self::PAGE, [ $this, 'render_page' ] );
	}

	public function dashboard_widget(): void {
		if ( current_user_can( Capability::VIEW ) && $this->settings->is_configured() ) {
			wp_add_dashboard_widget( 'cairn_last_7_days', __( 'Visitors, last 7 days', 'cairn-analytics' ), [ $this, 'render_widget' ] );
		}
	}

	public function meta_box( string $post_type, mixed $post ): void {
		if ( ! current_user_can( Capability::VIEW ) || ! $this->settings->is_configured() || ! is_post_type_viewable( $post_type ) ) {
			return;
		}
		if ( ! $post instanceof \WP_Post || $post->post_status !== 'publish' ) {
			return;
		}
		// The block editor shows the panel of assets/editor.js instead (see enqueue()).
		add_meta_box( 'cairn-page-stats', __( 'Visitors, 30 days', 'cairn-analytics' ), [ $this, 'render_meta_box' ], null, 'side', 'default', [ '__back_compat_meta_box' => true ] );
	}

	public function enqueue( string $hook ): void {
		$screens = [ 'index.php', 'dashboard_page_' . self::PAGE, 'post.php' ];
		if ( ! in_array( $hook, $screens, true ) || ! current_user_can( Capability::VIEW ) || ! $this->settings->is_configured() ) {
			return;
		}
		// The collector serves the widgets (one self-registering script), so they match its API.
		wp_enqueue_script( 'cairn-widgets', $this->settings->collector_url() . '/widgets.js', [], null, [ 'in_footer' => true ] );
		wp_enqueue_script( 'cairn-admin', plugins_url( 'assets/admin.js', CAIRN_ANALYTICS_FILE ), [ 'cairn-widgets' ], CAIRN_ANALYTICS_VERSION, [ 'in_footer' => true ] );
		$config = [
			'tokenUrl' => rest_url( Token_Route::NS . '/token' ),
			'nonce'    => wp_create_nonce( 'wp_rest' ),
		];
		$post = $hook === 'post.php' ? get_post() : null;
		if ( $post instanceof \WP_Post && $post->post_status === 'publish' && is_post_type_viewable( $post->post_type ) && use_block_editor_for_post( $post ) ) {
			$path       = $this->path_of( $post );
			$attributes = is_array( $path ) ? $this->no_path_notice( $path ) : $this->widget_attributes( [ 'path' => $path, 'period' => '30d', 'level' => '3' ] );
			wp_enqueue_script( 'cairn-editor', plugins_url( 'assets/editor.js', CAIRN_ANALYTICS_FILE ), [ 'cairn-admin', 'wp-plugins', 'wp-element', 'wp-edit-post' ], CAIRN_ANALYTICS_VERSION, [ 'in_footer' => true ] );
			wp_localize_script( 'cairn-editor', 'cairnEditor', [
				'title'      => __( 'Visitors, 30 days', 'cairn-analytics' ),
				'error'      => is_string( $attributes ) ? $attributes : '',
				'attributes' => is_array( $attributes ) ? $attributes : [],
			] );
			// The panel renders after admin.js starts: tell it when the token expires.
			if ( is_array( $attributes ) ) {
				$config['expiresAt'] = $attributes['data-expires-at'];
			}
		}
		wp_localize_script( 'cairn-admin', 'cairnAdmin', $config );
	}

	public function render_page(): void {
		if ( ! current_user_can( Capability::VIEW ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html__( 'Cairn Analytics', 'cairn-analytics' ) . '</h1>';
		echo $this->element( 'cairn-dashboard', [ 'theme' => 'auto' ] ); // phpcs:ignore WordPress.Security.EscapeOutput -- built with esc_attr in element().
		echo '</div>';
	}

	public function render_widget(): void {
		echo $this->element( 'cairn-metric', [ 'metric' => 'visitors', 'period' => '7d', 'compare' => 'previous' ] ); // phpcs:ignore WordPress.Security.EscapeOutput
		echo $this->element( 'cairn-timeseries', [ 'metric' => 'visitors', 'period' => '7d', 'heading' => __( 'Daily visitors', 'cairn-analytics' ), 'level' => '3', 'style' => '--cairn-chart-height: 90px' ] ); // phpcs:ignore WordPress.Security.EscapeOutput
	}

	public function render_meta_box( \WP_Post $post ): void {
		$path = $this->path_of( $post );
		if ( is_array( $path ) ) {
			echo '<p>' . esc_html( $this->no_path_notice( $path ) ) . '</p>';
			return;
		}
		echo $this->element( 'cairn-page-stats', [ 'path' => $path, 'period' => '30d', 'level' => '3' ] ); // phpcs:ignore WordPress.Security.EscapeOutput
	}

	/** One widget element with api, site and token set, or a notice saying why there is none. */
	public function element( string $tag, array $attributes ): string {
		$attributes = $this->widget_attributes( $attributes );
		if ( is_string( $attributes ) ) {
			// Several widgets on one screen (the dashboard widget) say it once.
			if ( $this->error_shown ) {
				return '';
			}
			$this->error_shown = true;
			return '<div class="notice notice-error inline"><p>' . esc_html( $attributes ) . '</p></div>';
		}
		$html = '<' . $tag;
		foreach ( $attributes as $name => $value ) {
			$html .= ' ' . $name . '="' . esc_attr( (string) $value ) . '"';
		}
		return $html . '></' . $tag . '>';
	}

	/** A widget's attributes with api, site and the view token, or the message saying why there is no token. */
	private function widget_attributes( array $attributes ): array|string {
		$this->token ??= $this->tokens->get();
		if ( is_wp_error( $this->token ) ) {
			return current_user_can( 'manage_options' ) ? $this->token->get_error_message() : __( 'The statistics are unavailable right now. An administrator can find out why in Settings › Cairn Analytics.', 'cairn-analytics' );
		}
		return [ 'api' => $this->settings->collector_url(), 'site' => (string) $this->settings->get( 'site_id' ), 'token' => $this->token['token'] ]
			+ $attributes
			+ [ 'data-cairn-token' => '', 'data-expires-at' => $this->token['expiresAt'] ];
	}

	/**
	 * The path the collector counts a post's views under, or the query parameters the site must
	 * keep for it to have one. With plain permalinks ('/?p=12') the post's address differs from the
	 * home page's only by its query string, which the collector keeps (as part of the page's path,
	 * sorted by key) only for the site's own query keys: the view token says which those are.
	 *
	 * @return string|string[] the path, or the missing query keys
	 */
	private function path_of( \WP_Post $post ): string|array {
		$url   = (string) get_permalink( $post );
		$path  = (string) wp_parse_url( $url, PHP_URL_PATH );
		$path  = $path !== '' ? $path : '/';
		$query = (string) wp_parse_url( $url, PHP_URL_QUERY );
		if ( $query === '' ) {
			return $path;
		}
		parse_str( $query, $params );
		$missing = $this->missing_keys( array_keys( $params ), false );
		// The owner may just have added them: ask the collector again before saying so.
		if ( $missing !== [] ) {
			$missing = $this->missing_keys( array_keys( $params ), true );
		}
		if ( $missing !== [] ) {
			return $missing;
		}
		ksort( $params, SORT_STRING );
		return $path . '?' . http_build_query( $params );
	}

	/** The keys the site does not keep; none when there is no token (its error is shown instead). */
	private function missing_keys( array $keys, bool $fresh ): array {
		if ( $fresh ) {
			$this->token = $this->tokens->get( true );
		}
		$this->token ??= $this->tokens->get();
		if ( is_wp_error( $this->token ) ) {
			return [];
		}
		return array_values( array_diff( $keys, (array) ( $this->token['queryKeys'] ?? [] ) ) );
	}

	/** Why a post has no panel of its own, for the editor. */
	private function no_path_notice( array $missing ): string {
		return sprintf(
			/* translators: %s: query parameters such as "p" */
			__( 'With plain permalinks, posts differ only by their query string (?p=123), which Cairn drops unless the site keeps it. In Cairn, add %s to this site\'s "Query parameters to keep" (in the site\'s settings, under Site; p, page_id covers posts and pages), or choose another structure in Settings › Permalinks.', 'cairn-analytics' ),
			implode( ', ', $missing )
		);
	}
}
