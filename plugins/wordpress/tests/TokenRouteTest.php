<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Capability;
use Cairn\WordPress\Token_Client;
use Cairn\WordPress\Token_Route;

final class TokenRouteTest extends TestCase {
	private function route(): Token_Route {
		return new Token_Route( new Token_Client( $this->configure() ) );
	}

	public function test_the_route_is_get_only_and_checks_the_capability(): void {
		$route = $this->route();
		$route->register();
		$args = $GLOBALS['wp']['routes']['/cairn/v1/token'];
		$this->assertSame( 'GET', $args['methods'] );
		$this->assertSame( [ $route, 'can_view' ], $args['permission_callback'] );
	}

	public function test_anonymous_requests_get_401_and_users_without_the_capability_403(): void {
		// Anonymous is also what a logged-in user is without the X-WP-Nonce header.
		$denied = $this->route()->can_view();
		$this->assertInstanceOf( \WP_Error::class, $denied );
		$this->assertSame( [ 'status' => 401 ], $denied->get_error_data() );
		$GLOBALS['wp']['user'] = [ 'subscriber' ];
		$this->assertSame( [ 'status' => 403 ], $this->route()->can_view()->get_error_data() );
	}

	public function test_with_the_capability_the_token_and_only_the_token_is_returned(): void {
		$GLOBALS['wp']['user'] = [ 'editor' ];
		$GLOBALS['wp']['caps'] = [ Capability::VIEW ];
		$route                 = $this->route();
		$this->assertTrue( $route->can_view() );
		$this->token_answer();
		$response = $route->respond( new \WP_REST_Request( '/cairn/v1/token' ) );
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( [ 'token', 'expiresAt' ], array_keys( $response->get_data() ) );
		$this->assertSame( 'no-store', $response->get_headers()['Cache-Control'] );
		$this->assertStringNotContainsString( self::KEY, json_encode( $response->get_data() ) );
	}

	public function test_a_collector_error_is_a_502_in_plain_words(): void {
		wp_respond( 401, '{}' );
		$response = $this->route()->respond( new \WP_REST_Request( '/cairn/v1/token' ) );
		$this->assertSame( 502, $response->get_status() );
		$this->assertStringContainsString( 'refused the site key', $response->get_data()['message'] );
	}

	public function test_fresh_bypasses_the_cache(): void {
		set_transient( Token_Client::TRANSIENT, [ 'token' => 'revoked', 'expiresAt' => gmdate( 'c', time() + 3000 ) ], 1000 );
		$this->token_answer( 3600, 'new' );
		$this->assertSame( 'revoked', $this->route()->respond( new \WP_REST_Request( '/cairn/v1/token' ) )->get_data()['token'] );
		$this->assertSame( 'new', $this->route()->respond( new \WP_REST_Request( '/cairn/v1/token', [], '', [ 'fresh' => true ] ) )->get_data()['token'] );
	}
}
