<?php
namespace Cairn\WordPress\Tests;

use Cairn\WordPress\Token_Client;

final class TokenClientTest extends TestCase {
	public function test_it_asks_the_collector_with_the_bearer_key_and_no_sections(): void {
		$this->token_answer();
		$token = ( new Token_Client( $this->configure() ) )->get();
		$this->assertSame( 'cairn_vt_abc', $token['token'] );
		$request = $GLOBALS['wp']['requests'][0];
		$this->assertSame( 'POST', $request['method'] );
		$this->assertSame( 'https://stats.example.com/api/tokens/view', $request['url'] );
		$this->assertSame( 'Bearer ' . self::KEY, $request['headers']['Authorization'] );
		$this->assertSame( [], json_decode( $request['body'], true ), 'no sections: all the key allows' );
	}

	public function test_the_token_is_cached_until_five_minutes_before_it_expires(): void {
		$this->token_answer( 3600 );
		$client = new Token_Client( $this->configure() );
		$client->get();
		$ttl = $GLOBALS['wp']['transients'][ Token_Client::TRANSIENT ]['ttl'];
		$this->assertEqualsWithDelta( 3300, $ttl, 2 );
		$this->assertSame( 'cairn_vt_abc', $client->get()['token'] );
		$this->assertCount( 1, $GLOBALS['wp']['requests'], 'the second call is served from the cache' );
	}

	public function test_a_cached_token_close_to_expiry_is_replaced(): void {
		$client = new Token_Client( $this->configure() );
		set_transient( Token_Client::TRANSIENT, [ 'token' => 'old', 'expiresAt' => gmdate( 'c', time() + 200 ) ], 1000 );
		$this->token_answer( 3600, 'new' );
		$this->assertSame( 'new', $client->get()['token'] );
	}

	public function test_fresh_skips_the_cache(): void {
		$client = new Token_Client( $this->configure() );
		set_transient( Token_Client::TRANSIENT, [ 'token' => 'revoked', 'expiresAt' => gmdate( 'c', time() + 3000 ) ], 1000 );
		$this->token_answer( 3600, 'new' );
		$this->assertSame( 'new', $client->get( true )['token'] );
	}

	public function test_a_short_token_is_not_cached(): void {
		$this->token_answer( 120 );
		( new Token_Client( $this->configure() ) )->get();
		$this->assertArrayNotHasKey( Token_Client::TRANSIENT, $GLOBALS['wp']['transients'] );
	}

	/** @dataProvider failures */
	public function test_errors_are_plain_words_without_the_key( mixed $answer, string $expected ): void {
		$answer instanceof \WP_Error ? wp_respond( $answer ) : wp_respond( $answer, '{"error":{"code":"x"}}' );
		$error = ( new Token_Client( $this->configure() ) )->get();
		$this->assertInstanceOf( \WP_Error::class, $error );
		$this->assertStringContainsString( $expected, $error->get_error_message() );
		$this->assertStringNotContainsString( self::KEY, $error->get_error_message() );
		$this->assertArrayNotHasKey( Token_Client::TRANSIENT, $GLOBALS['wp']['transients'] );
	}

	public static function failures(): array {
		return [
			'wrong key'   => [ 401, 'refused the site key' ],
			'deleted'     => [ 403, 'deleted' ],
			'not cairn'   => [ 404, 'not like a Cairn collector' ],
			'server'      => [ 500, 'internal error (HTTP 500)' ],
			'unreachable' => [ new \WP_Error( 'http_request_failed', 'cURL error 6: Could not resolve host with Authorization: Bearer ' . self::KEY ), 'could not be reached' ],
		];
	}

	public function test_a_key_of_another_site_is_named(): void {
		$this->token_answer( 3600, 'x', 'shop' );
		$error = ( new Token_Client( $this->configure() ) )->get();
		$this->assertSame( 'The site key belongs to site "shop", but the site id is "blog". Copy both from the same site.', $error->get_error_message() );
	}

	public function test_without_a_key_nothing_is_sent(): void {
		$error = ( new Token_Client( $this->configure( [], null ) ) )->get();
		$this->assertStringContainsString( 'site key', $error->get_error_message() );
		$this->assertSame( [], $GLOBALS['wp']['requests'] );
	}
}
