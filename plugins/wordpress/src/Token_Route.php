<?php
namespace Cairn\WordPress;

/**
 * GET /wp-json/cairn/v1/token: a view token for the admin's widgets. WordPress's cookie
 * authentication only recognises the logged-in user when the request carries the wp_rest nonce
 * (X-WP-Nonce); without it the user is anonymous and the capability check below answers 401.
 */
final class Token_Route {
	public const NS = 'cairn/v1';

	public function __construct( private Token_Client $tokens ) {}

	public function hook(): void {
		add_action( 'rest_api_init', [ $this, 'register' ] );
	}

	public function register(): void {
		register_rest_route( self::NS, '/token', [
			'methods'             => 'GET',
			'callback'            => [ $this, 'respond' ],
			'permission_callback' => [ $this, 'can_view' ],
			'args'                => [ 'fresh' => [ 'type' => 'boolean', 'default' => false ] ],
		] );
	}

	public function can_view(): bool|\WP_Error {
		if ( current_user_can( Capability::VIEW ) ) {
			return true;
		}
		return new \WP_Error( 'rest_forbidden', __( 'You may not see the site statistics.', 'cairn-analytics' ), [ 'status' => rest_authorization_required_code() ] );
	}

	public function respond( \WP_REST_Request $request ): \WP_REST_Response {
		$token = $this->tokens->get( (bool) $request->get_param( 'fresh' ) );
		if ( is_wp_error( $token ) ) {
			return new \WP_REST_Response( [ 'code' => $token->get_error_code(), 'message' => $token->get_error_message() ], 502, [ 'Cache-Control' => 'no-store' ] );
		}
		return new \WP_REST_Response( [ 'token' => $token['token'], 'expiresAt' => $token['expiresAt'] ], 200, [ 'Cache-Control' => 'no-store' ] );
	}
}
