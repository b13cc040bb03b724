<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Proxy;

final class ProxyTest extends TestCase {
	public function test_routes_exist_only_when_the_proxy_is_on(): void {
		( new Proxy( $this->configure() ) )->register_routes();
		$this->assertSame( [], $GLOBALS['wp']['routes'] );
		( new Proxy( $this->configure( [ 'proxy' => true ] ) ) )->register_routes();
		$this->assertSame( [ '/fwd/v1/p', '/fwd/v1/v', '/fwd/v1/e' ], array_keys( $GLOBALS['wp']['routes'] ) );
	}

	public function test_an_event_is_forwarded_with_the_visitor_ip_and_the_headers_the_collector_reads(): void {
		wp_respond( 202, '' );
		$body    = '{"s":"blog","n":"pageview","u":"https://blog.example/"}';
		$visitor = [ 'user_agent' => 'Mozilla/5.0 Test', 'content_type' => 'text/plain', 'sec_ch_ua' => '"Chromium";v="150"', 'sec_purpose' => 'prefetch', 'purpose' => 'prefetch', 'cookie' => 'wordpress_logged_in=secret', 'accept_language' => 'fr' ];
		$response = ( new Proxy( $this->configure( [ 'proxy' => true ] ) ) )->event( new \WP_REST_Request( '/fwd/v1/e', $visitor, $body ) );
		$this->assertSame( 202, $response->get_status() );
		$request = $GLOBALS['wp']['requests'][0];
		$this->assertSame( 'https://stats.example.com/api/event', $request['url'] );
		$this->assertSame(
			[ 'Content-Type' => 'text/plain', 'X-Forwarded-For' => '203.0.113.7', 'user-agent' => 'Mozilla/5.0 Test', 'sec-ch-ua' => '"Chromium";v="150"', 'sec-purpose' => 'prefetch', 'purpose' => 'prefetch' ],
			$request['headers']
		);
		$this->assertSame( $body, $request['body'] );
	}

	public function test_it_forwards_the_protocols_headers_and_cap(): void {
		$protocol = json_decode( (string) file_get_contents( dirname( __DIR__, 3 ) . '/collector/src/protocol/forwarding.json' ), true );
		$this->assertSame( $protocol['headers'], Proxy::FORWARDED_HEADERS );
		$this->assertSame( $protocol['maxBodyBytes'], Proxy::MAX_BODY );
	}

	public function test_a_forwarded_header_from_the_visitor_is_not_trusted(): void {
		wp_respond( 202, '' );
		$_SERVER['HTTP_X_FORWARDED_FOR'] = '198.51.100.1';
		( new Proxy( $this->configure( [ 'proxy' => true ] ) ) )->event( new \WP_REST_Request( '/fwd/v1/e', [], '{}' ) );
		unset( $_SERVER['HTTP_X_FORWARDED_FOR'] );
		$this->assertSame( '203.0.113.7', $GLOBALS['wp']['requests'][0]['headers']['X-Forwarded-For'] );
	}

	public function test_a_body_over_the_collectors_cap_is_refused_here_and_not_forwarded(): void {
		wp_respond( 202, '' );
		$proxy    = new Proxy( $this->configure( [ 'proxy' => true ] ) );
		$response = $proxy->event( new \WP_REST_Request( '/fwd/v1/e', [], str_repeat( 'x', Proxy::MAX_BODY + 1 ) ) );
		$this->assertSame( 413, $response->get_status() );
		$this->assertSame( [], $GLOBALS['wp']['requests'] ?? [] );
		$this->assertSame( 202, $proxy->event( new \WP_REST_Request( '/fwd/v1/e', [], str_repeat( 'x', Proxy::MAX_BODY ) ) )->get_status() );
	}

	public function test_the_collectors_refusal_and_retry_after_are_passed_on(): void {
		wp_respond( 429, '{"error":{"code":"rate_limited"}}', [ 'retry-after' => '30' ] );
		$response = ( new Proxy( $this->configure( [ 'proxy' => true ] ) ) )->event( new \WP_REST_Request( '/fwd/v1/e', [], '{}' ) );
		$this->assertSame( 429, $response->get_status() );
		$this->assertSame( '30', $response->get_headers()['Retry-After'] );
	}

	public function test_the_script_is_fetched_once_then_cached(): void {
		wp_respond( 200, '/*t.js*/' );
		$proxy = new Proxy( $this->configure( [ 'proxy' => true ] ) );
		$this->assertSame( '/*t.js*/', $proxy->script( '/p' )->get_data() );
		$again = $proxy->script( '/p' );
		$this->assertSame( '/*t.js*/', $again->get_data() );
		$this->assertStringStartsWith( 'application/javascript', $again->get_headers()['Content-Type'] );
		$this->assertCount( 1, $GLOBALS['wp']['requests'] );
		$this->assertSame( 'https://stats.example.com/t.js', $GLOBALS['wp']['requests'][0]['url'] );
	}

	public function test_an_unavailable_collector_script_is_a_502_and_not_cached(): void {
		wp_respond( 500, 'oops' );
		$proxy = new Proxy( $this->configure( [ 'proxy' => true ] ) );
		$this->assertSame( 502, $proxy->script( '/v' )->get_status() );
		$this->assertSame( 'https://stats.example.com/t-v.js', $GLOBALS['wp']['requests'][0]['url'] );
		$this->assertSame( [], $GLOBALS['wp']['transients'] );
	}

	public function test_scripts_are_served_as_javascript_not_json(): void {
		$proxy = new Proxy( $this->configure( [ 'proxy' => true ] ) );
		ob_start();
		$served = $proxy->serve_script( false, new \WP_REST_Response( '/*t.js*/' ), new \WP_REST_Request( '/fwd/v1/p' ), null );
		$this->assertTrue( $served );
		$this->assertSame( '/*t.js*/', ob_get_clean() );
		$this->assertFalse( $proxy->serve_script( false, new \WP_REST_Response( [] ), new \WP_REST_Request( '/fwd/v1/e' ), null ) );
		$this->assertFalse( $proxy->serve_script( false, new \WP_REST_Response( [] ), new \WP_REST_Request( '/wp/v2/posts' ), null ) );
	}
}
