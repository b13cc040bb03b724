<?php
namespace Cairn\WordPress;

/** Settings › Cairn Analytics (Settings API, manage_options) and its "Test connection" button. */
final class Settings_Page {
	public const SLUG = 'cairn-analytics';
	public const TEST_ACTION = 'cairn_test_connection';

	public function __construct( private Settings $settings, private Connection_Test $test ) {}

	public function hook(): void {
		add_action( 'admin_menu', [ $this, 'menu' ] );
		add_action( 'admin_init', [ $this, 'register' ] );
		add_action( 'admin_post_' . self::TEST_ACTION, [ $this, 'test_connection' ] );
		add_filter( 'plugin_action_links_' . plugin_basename( CAIRN_ANALYTICS_FILE ), [ $this, 'action_links' ] );
	}

	public function menu(): void {
		add_options_page( __( 'Cairn Analytics', 'cairn-analytics' ), __( 'Cairn Analytics', 'cairn-analytics' ), 'manage_options', self::SLUG, [ $this, 'render' ] );
	}

	public function action_links( array $links ): array {
		array_unshift( $links, '<a href="' . esc_url( admin_url( 'options-general.php?page=' . self::SLUG ) ) . '">' . esc_html__( 'Settings', 'cairn-analytics' ) . '</a>' );
		return $links;
	}

	public function register(): void {
		register_setting( self::SLUG, Settings::OPTION, [ 'type' => 'array', 'sanitize_callback' => [ $this->settings, 'sanitize' ], 'show_in_rest' => false ] );
		add_settings_section( 'collector', __( 'Collector', 'cairn-analytics' ), '__return_false', self::SLUG );
		add_settings_section( 'tracking', __( 'Tracking', 'cairn-analytics' ), '__return_false', self::SLUG );
		add_settings_section( 'stats', __( 'Stats in wp-admin', 'cairn-analytics' ), '__return_false', self::SLUG );
		$fields = [
			'collector_url' => [ 'collector', __( 'Collector URL', 'cairn-analytics' ) ],
			'site_id'       => [ 'collector', __( 'Site id', 'cairn-analytics' ) ],
			'site_key'      => [ 'collector', __( 'Site key', 'cairn-analytics' ) ],
			'exclude_roles' => [ 'tracking', __( 'Do not track', 'cairn-analytics' ) ],
			'disable'       => [ 'tracking', __( 'Automatic events', 'cairn-analytics' ) ],
			'options'       => [ 'tracking', __( 'Options', 'cairn-analytics' ) ],
			'exclude_paths' => [ 'tracking', __( 'Paths not counted', 'cairn-analytics' ) ],
			'proxy'         => [ 'tracking', __( 'First-party proxy', 'cairn-analytics' ) ],
			'view_roles'    => [ 'stats', __( 'Who sees the stats', 'cairn-analytics' ) ],
		];
		foreach ( $fields as $name => [ $section, $label ] ) {
			// Groups of checkboxes have no single control for the row's label to point at.
			$args = in_array( $name, [ 'exclude_roles', 'disable', 'options', 'view_roles' ], true ) ? [] : [ 'label_for' => 'cairn-' . $name ];
			add_settings_field( $name, $label, [ $this, 'field_' . $name ], self::SLUG, $section, $args );
		}
	}

	private function name( string $field ): string {
		return Settings::OPTION . '[' . $field . ']';
	}

	public function field_collector_url(): void {
		printf( '<input type="url" class="regular-text" id="cairn-collector_url" name="%s" value="%s" placeholder="https://stats.example.com">', esc_attr( $this->name( 'collector_url' ) ), esc_attr( $this->settings->collector_url() ) );
	}

	public function field_site_id(): void {
		printf( '<input type="text" class="regular-text" id="cairn-site_id" name="%s" value="%s" pattern="[A-Za-z0-9_-]{1,64}">', esc_attr( $this->name( 'site_id' ) ), esc_attr( (string) $this->settings->get( 'site_id' ) ) );
	}

	public function field_site_key(): void {
		// The stored key is never printed: the field is empty and keeps the key when left empty.
		$stored = $this->settings->site_key() !== '';
		printf( '<input type="password" class="regular-text" id="cairn-site_key" name="%s" value="" autocomplete="off" placeholder="%s">', esc_attr( $this->name( 'site_key' ) ), esc_attr( $stored ? __( 'Stored. Leave empty to keep it.', 'cairn-analytics' ) : '' ) );
		echo '<p class="description">' . esc_html__( 'Used by this server to get short-lived view tokens for the dashboard. It never reaches a browser.', 'cairn-analytics' ) . '</p>';
	}

	public function field_exclude_roles(): void {
		$this->checkboxes( 'exclude_roles', array_map( 'translate_user_role', wp_roles()->get_names() ), (array) $this->settings->get( 'exclude_roles' ) );
		echo '<p class="description">' . esc_html__( 'Logged-in users with these roles are not counted.', 'cairn-analytics' ) . '</p>';
	}

	public function field_view_roles(): void {
		$names = array_map( 'translate_user_role', wp_roles()->get_names() );
		// Administrators always see the stats: their box is shown checked and cannot be changed.
		printf( '<input type="hidden" name="%s[]" value="">', esc_attr( $this->name( 'view_roles' ) ) );
		printf( '<label style="display:block"><input type="checkbox" checked disabled> %s</label>', esc_html( $names['administrator'] ?? 'Administrator' ) );
		unset( $names['administrator'] );
		$this->checkboxes( 'view_roles', $names, Capability::roles() );
		echo '<p class="description">' . esc_html__( 'Users with these roles see the Cairn page, the dashboard widget and the stats panel of posts (capability view_cairn_stats).', 'cairn-analytics' ) . '</p>';
	}

	public function field_disable(): void {
		$labels = [ 'spa' => __( 'Page changes in single-page apps', 'cairn-analytics' ), 'engagement' => __( 'Engaged time and scroll depth', 'cairn-analytics' ), 'outbound' => __( 'Outbound links', 'cairn-analytics' ), 'tel' => __( 'Phone links', 'cairn-analytics' ), 'mailto' => __( 'Email links', 'cairn-analytics' ), 'download' => __( 'Downloads', 'cairn-analytics' ), 'form' => __( 'Form submissions', 'cairn-analytics' ), 'cta' => __( 'Clicks on data-cairn-event elements', 'cairn-analytics' ) ];
		$on     = array_diff( Settings::DISABLEABLE, (array) $this->settings->get( 'disable' ) );
		// Checked = counted; Settings::sanitize() stores the rest as data-disable. The empty hidden
		// value makes "everything unchecked" arrive as a list too.
		printf( '<input type="hidden" name="%s[]" value="">', esc_attr( $this->name( 'count' ) ) );
		$this->checkboxes( 'count', $labels, array_values( $on ) );
		echo '<p class="description">' . esc_html__( 'Unchecked events are not sent (data-disable).', 'cairn-analytics' ) . '</p>';
	}

	public function field_options(): void {
		$this->checkboxes( '', [ 'hash' => __( 'Count #/route changes as pages (data-hash)', 'cairn-analytics' ), 'vitals' => __( 'Report Core Web Vitals (data-vitals)', 'cairn-analytics' ), 'respect_dnt' => __( 'Send nothing for browsers with Do Not Track or Global Privacy Control (data-respect-dnt)', 'cairn-analytics' ) ], array_keys( array_filter( array_intersect_key( $this->settings->all(), array_flip( [ 'hash', 'vitals', 'respect_dnt' ] ) ) ) ) );
	}

	public function field_exclude_paths(): void {
		printf( '<input type="text" class="regular-text" id="cairn-exclude_paths" name="%s" value="%s" placeholder="/checkout/* /account">', esc_attr( $this->name( 'exclude_paths' ) ), esc_attr( (string) $this->settings->get( 'exclude_paths' ) ) );
	}

	public function field_proxy(): void {
		printf( '<label><input type="checkbox" id="cairn-proxy" name="%s" value="1"%s> %s</label>', esc_attr( $this->name( 'proxy' ) ), checked( (bool) $this->settings->get( 'proxy' ), true, false ), esc_html__( 'Serve the script and receive events through this site (neutral /wp-json/fwd/v1/ paths that blockers do not list)', 'cairn-analytics' ) );
		echo '<p class="description">' . esc_html__( 'The collector must trust this server\'s address (CAIRN_TRUSTED_PROXIES), or it counts every visitor as coming from this server.', 'cairn-analytics' ) . '</p>';
	}

	/** Checkboxes named OPTION[$group][] (or OPTION[value] when $group is ''). */
	private function checkboxes( string $group, array $choices, array $checked ): void {
		foreach ( $choices as $value => $label ) {
			$name = $group === '' ? $this->name( (string) $value ) : $this->name( $group ) . '[]';
			printf( '<label style="display:block"><input type="checkbox" name="%s" value="%s"%s> %s</label>', esc_attr( $name ), esc_attr( $group === '' ? '1' : (string) $value ), checked( in_array( $value, $checked, true ), true, false ), esc_html( (string) $label ) );
		}
	}

	public function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		$this->render_test_result();
		echo '<form method="post" action="options.php">';
		settings_fields( self::SLUG );
		do_settings_sections( self::SLUG );
		submit_button();
		echo '</form><form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::TEST_ACTION ) . '">';
		wp_nonce_field( self::TEST_ACTION );
		submit_button( __( 'Test connection', 'cairn-analytics' ), 'secondary', 'submit', false );
		echo '</form></div>';
	}

	public function test_connection(): void {
		check_admin_referer( self::TEST_ACTION );
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You may not change these settings.', 'cairn-analytics' ), 403 );
		}
		set_transient( 'cairn_test_' . get_current_user_id(), $this->test->run(), 60 );
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::SLUG ) );
		exit;
	}

	private function render_test_result(): void {
		$result = get_transient( 'cairn_test_' . get_current_user_id() );
		if ( ! is_array( $result ) ) {
			return;
		}
		delete_transient( 'cairn_test_' . get_current_user_id() );
		echo '<div class="notice notice-' . ( $result['ok'] ? 'success' : 'error' ) . '"><ul>';
		foreach ( $result['messages'] as $message ) {
			echo '<li>' . esc_html( $message ) . '</li>';
		}
		echo '</ul></div>';
	}
}
