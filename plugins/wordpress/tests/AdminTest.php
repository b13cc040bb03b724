<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Admin_Pages;
use Cairn\WordPress\Capability;
use Cairn\WordPress\Connection_Test;
use Cairn\WordPress\Plugin;
use Cairn\WordPress\Settings_Page;
use Cairn\WordPress\Token_Client;
use Cairn\WordPress\WooCommerce;
use Cairn\WordPress\Tracker;
use Cairn\WordPress\Tracker_Tag;

final class AdminTest extends TestCase {
	public function test_widgets_get_api_site_and_token_but_never_the_key(): void {
		$s = $this->configure();
		$this->token_answer();
		$html = ( new Admin_Pages( $s, new Token_Client( $s ) ) )->element( 'cairn-page-stats', [ 'path' => '/hello-world/' ] );
		$this->assertStringStartsWith( '<cairn-page-stats api="https://stats.example.com" site="blog" token="cairn_vt_abc" path="/hello-world/" data-cairn-token="" data-expires-at="', $html );
		$this->assertStringNotContainsString( self::KEY, $html );
	}

	public function test_one_token_per_page_for_several_widgets(): void {
		$s     = $this->configure();
		$pages = new Admin_Pages( $s, new Token_Client( $s ) );
		$this->token_answer();
		ob_start();
		$pages->render_widget();
		$html = ob_get_clean();
		$this->assertStringContainsString( '<cairn-metric ', $html );
		$this->assertStringContainsString( 'period="7d"', $html );
		$this->assertStringContainsString( '<cairn-timeseries ', $html );
		$this->assertCount( 1, $GLOBALS['wp']['requests'] );
	}

	public function test_the_block_editor_gets_a_sidebar_panel_for_a_published_post_and_the_classic_editor_a_meta_box(): void {
		$s                     = $this->configure();
		$GLOBALS['wp']['caps'] = [ Capability::VIEW ];
		$GLOBALS['wp']['post'] = new \WP_Post();
		$this->token_answer();
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->enqueue( 'post.php' );
		$this->assertSame( [ 'cairn-admin', 'wp-plugins', 'wp-element', 'wp-edit-post' ], $GLOBALS['wp']['scripts']['cairn-editor']['deps'] );
		[ $name, $config ] = $GLOBALS['wp']['localized']['cairn-editor'];
		$this->assertSame( 'cairnEditor', $name );
		$this->assertSame( '', $config['error'] );
		$this->assertSame( [ 'api' => 'https://stats.example.com', 'site' => 'blog', 'token' => 'cairn_vt_abc', 'path' => '/hello-world/', 'period' => '30d', 'level' => '3', 'data-cairn-token' => '' ], array_diff_key( $config['attributes'], [ 'data-expires-at' => 1 ] ) );
		// admin.js renews the panel's token: it learns the expiry from its own config.
		$this->assertSame( $config['attributes']['data-expires-at'], $GLOBALS['wp']['localized']['cairn-admin'][1]['expiresAt'] );
		$this->assertStringNotContainsString( self::KEY, (string) json_encode( $GLOBALS['wp']['localized'] ) );

		// A draft has no page to count; the classic editor shows the meta box instead.
		unset( $GLOBALS['wp']['scripts']['cairn-editor'] );
		$GLOBALS['wp']['post']->post_status = 'draft';
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->enqueue( 'post.php' );
		$this->assertArrayNotHasKey( 'cairn-editor', $GLOBALS['wp']['scripts'] );
		$GLOBALS['wp']['post']->post_status = 'publish';
		$GLOBALS['wp']['block_editor']      = false;
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->enqueue( 'post.php' );
		$this->assertArrayNotHasKey( 'cairn-editor', $GLOBALS['wp']['scripts'] );
	}

	public function test_with_plain_permalinks_a_post_panel_shows_the_post_under_its_query_string_when_the_site_keeps_it(): void {
		$s                          = $this->configure();
		$GLOBALS['wp']['caps']      = [ Capability::VIEW ];
		$GLOBALS['wp']['post']      = new \WP_Post();
		$GLOBALS['wp']['permalink'] = 'https://blog.example/?p=1';
		$this->token_answer( query_keys: [ 'p', 'page_id' ] );
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->enqueue( 'post.php' );
		$config = $GLOBALS['wp']['localized']['cairn-editor'][1];
		$this->assertSame( '', $config['error'] );
		$this->assertSame( '/?p=1', $config['attributes']['path'] );
		$this->assertCount( 1, $GLOBALS['wp']['requests'] );

		// A page, in a WordPress installed under /blog/, with its parameters sorted as the collector sorts them.
		$GLOBALS['wp']['permalink'] = 'https://example.com/blog/?page_id=7&lang=fr';
		$this->token_answer( query_keys: [ 'page_id', 'lang' ] );
		$pages = new Admin_Pages( $s, new Token_Client( $s ) );
		ob_start();
		$pages->render_meta_box( $GLOBALS['wp']['post'] );
		$this->assertStringContainsString( 'path="/blog/?lang=fr&amp;page_id=7"', (string) ob_get_clean() );
	}

	public function test_with_plain_permalinks_a_post_panel_says_which_parameters_to_keep_instead_of_showing_the_home_page(): void {
		$s                          = $this->configure();
		$GLOBALS['wp']['caps']      = [ Capability::VIEW ];
		$GLOBALS['wp']['post']      = new \WP_Post();
		$GLOBALS['wp']['permalink'] = 'https://blog.example/?p=1';
		// The cached token, then a fresh one (the owner may just have added the key): neither keeps p.
		$this->token_answer( query_keys: [ 'q' ] );
		$this->token_answer( query_keys: [ 'q' ] );
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->enqueue( 'post.php' );
		$config = $GLOBALS['wp']['localized']['cairn-editor'][1];
		$this->assertStringContainsString( 'add p to this site\'s "Query parameters to keep"', $config['error'] );
		$this->assertSame( [], $config['attributes'] );
		$this->assertCount( 2, $GLOBALS['wp']['requests'] );

		// Kept since the token was cached: the fresh token says so, and the panel shows the post.
		$this->token_answer( query_keys: [ 'p' ] );
		ob_start();
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->render_meta_box( $GLOBALS['wp']['post'] );
		$this->assertStringContainsString( 'path="/?p=1"', (string) ob_get_clean() );

		$this->token_answer( query_keys: [] );
		$this->token_answer( query_keys: [] );
		\Cairn\WordPress\Token_Client::forget();
		ob_start();
		( new Admin_Pages( $s, new Token_Client( $s ) ) )->render_meta_box( $GLOBALS['wp']['post'] );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'Settings › Permalinks', $html );
		$this->assertStringNotContainsString( '<cairn-page-stats', $html );
	}

	public function test_a_token_error_is_shown_to_admins_in_plain_words_and_vaguely_to_others(): void {
		$s = $this->configure();
		wp_respond( 401, '{}' );
		$GLOBALS['wp']['caps'] = [ 'manage_options' ];
		$this->assertStringContainsString( 'refused the site key', ( new Admin_Pages( $s, new Token_Client( $s ) ) )->element( 'cairn-dashboard', [] ) );
		wp_respond( 401, '{}' );
		$GLOBALS['wp']['caps'] = [];
		$this->assertStringContainsString( 'An administrator can find out why', ( new Admin_Pages( $s, new Token_Client( $s ) ) )->element( 'cairn-dashboard', [] ) );
	}

	public function test_the_settings_page_never_prints_the_key(): void {
		$s    = $this->configure();
		$page = new Settings_Page( $s, new Connection_Test( $s, new Token_Client( $s ) ) );
		ob_start();
		$page->field_site_key();
		$html = ob_get_clean();
		$this->assertStringContainsString( 'value=""', $html );
		$this->assertStringContainsString( 'Stored.', $html );
		$this->assertStringNotContainsString( self::KEY, $html );
	}

	public function test_connection_test_reports_each_problem_in_plain_words(): void {
		$s = $this->configure();
		wp_respond( 200, '{"status":"ok","version":"0.4.0"}' );
		wp_respond( 401, '{}' );
		$result = ( new Connection_Test( $s, new Token_Client( $s ) ) )->run();
		$this->assertFalse( $result['ok'] );
		$this->assertSame( 'The collector is up (version 0.4.0).', $result['messages'][0] );
		$this->assertStringContainsString( 'refused the site key', $result['messages'][1] );
		$this->assertSame( [ 'https://stats.example.com/healthz', 'https://stats.example.com/api/tokens/view' ], array_column( $GLOBALS['wp']['requests'], 'url' ) );

		wp_reset();
		$s = $this->configure();
		wp_respond( 200, '<html>a blog</html>' );
		$result = ( new Connection_Test( $s, new Token_Client( $s ) ) )->run();
		$this->assertStringContainsString( 'is not a Cairn collector', $result['messages'][0] );

		wp_reset();
		$s = $this->configure();
		wp_respond( 200, '{"status":"ok","version":"0.4.0"}' );
		$this->token_answer();
		$result = ( new Connection_Test( $s, new Token_Client( $s ) ) )->run();
		$this->assertTrue( $result['ok'] );
		$this->assertSame( 'The site key works: the dashboard can show traffic, sources, goals, realtime, export.', $result['messages'][1] );
		// Plain permalinks, and the site keeps neither p nor page_id: every post counts as the home page.
		$this->assertStringContainsString( 'add p, page_id to the site\'s "Query parameters to keep"', $result['messages'][2] );

		foreach ( [ [ '', [ 'p', 'page_id' ] ], [ '/%postname%/', [] ] ] as [ $structure, $kept ] ) {
			wp_reset();
			$s = $this->configure();
			update_option( 'permalink_structure', $structure );
			wp_respond( 200, '{"status":"ok","version":"0.4.0"}' );
			$this->token_answer( query_keys: $kept );
			$this->assertCount( 2, ( new Connection_Test( $s, new Token_Client( $s ) ) )->run()['messages'], $structure );
		}
	}

	public function test_woocommerce_marker_carries_only_revenue_and_currency(): void {
		$s      = $this->configure();
		$marker = ( new WooCommerce( new Tracker( $s, new Tracker_Tag( $s ) ) ) )->marker( 59.9, 'EUR' );
		$this->assertSame( '<span hidden data-cairn-purchase data-revenue="59.9" data-currency="EUR"></span>', $marker );
	}

	public function test_activation_grants_and_uninstall_removes_everything(): void {
		Capability::grant_to_administrators();
		$this->assertArrayHasKey( Capability::VIEW, $GLOBALS['wp']['role_caps']['administrator'] );
		$GLOBALS['wp']['role_caps']['editor'][ Capability::VIEW ] = true; // given by a role editor
		$this->configure();
		set_transient( Token_Client::TRANSIENT, [ 'token' => 'x' ], 100 );
		set_transient( \Cairn\WordPress\Proxy::script_transients()[0], '/*t.js*/', 100 );
		define( 'WP_UNINSTALL_PLUGIN', 'cairn-analytics/cairn-analytics.php' );
		require dirname( __DIR__ ) . '/uninstall.php';
		$this->assertSame( [], $GLOBALS['wp']['options'] );
		$this->assertSame( [], $GLOBALS['wp']['transients'] );
		$this->assertSame( [ 'administrator' => [], 'editor' => [], 'subscriber' => [] ], $GLOBALS['wp']['role_caps'] );
	}

	public function test_the_plugin_registers_its_hooks_in_one_place(): void {
		$this->configure();
		( new Plugin() )->hook();
		$public = array_keys( $GLOBALS['wp']['filters'] );
		foreach ( [ 'wp_enqueue_scripts', 'wp_script_attributes', 'rest_api_init', 'rest_pre_serve_request', 'woocommerce_thankyou', 'rocket_delay_js_exclusions' ] as $hook ) {
			$this->assertContains( $hook, $public );
		}
		$this->assertNotContains( 'admin_menu', $public, 'admin pages are not loaded on the public site' );
		wp_reset();
		$GLOBALS['wp']['flags']['is_admin'] = true;
		( new Plugin() )->hook();
		foreach ( [ 'admin_menu', 'admin_init', 'admin_post_cairn_test_connection', 'wp_dashboard_setup', 'add_meta_boxes', 'admin_enqueue_scripts' ] as $hook ) {
			$this->assertArrayHasKey( $hook, $GLOBALS['wp']['filters'] );
		}
	}
}
