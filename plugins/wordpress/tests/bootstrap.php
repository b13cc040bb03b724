<?php
/**
 * Just enough of WordPress for the plugin's classes to run without it: every stub records what
 * it was given in $GLOBALS['wp'] (see wp_reset()) so that tests assert on it. The real-WordPress
 * end-to-end harness covers what these stubs cannot (REST cookie auth, the script loader).
 */
define( 'ABSPATH', __DIR__ . '/' );
define( 'CAIRN_ANALYTICS_FILE', dirname( __DIR__ ) . '/cairn-analytics.php' );
define( 'CAIRN_ANALYTICS_VERSION', '0.1.0' );
require dirname( __DIR__ ) . '/src/autoload.php';

function wp_reset(): void {
	$GLOBALS['wp'] = [
		'options' => [], 'transients' => [], 'filters' => [], 'errors' => [], 'scripts' => [],
		'requests' => [], 'responses' => [], 'routes' => [], 'caps' => [], 'role_caps' => [ 'administrator' => [], 'editor' => [], 'subscriber' => [] ],
		'user' => null, 'flags' => [],
	];
	$_SERVER['REMOTE_ADDR'] = '203.0.113.7';
}
wp_reset();

class WP_Error {
	public function __construct( private string $code = '', private string $message = '', private mixed $data = null ) {}
	public function get_error_code(): string { return $this->code; }
	public function get_error_message(): string { return $this->message; }
	public function get_error_data(): mixed { return $this->data; }
}
class WP_REST_Response {
	public function __construct( public mixed $data = null, public int $status = 200, public array $headers = [] ) {}
	public function get_data(): mixed { return $this->data; }
	public function get_status(): int { return $this->status; }
	public function get_headers(): array { return $this->headers; }
	public function header( string $k, string $v ): void { $this->headers[ $k ] = $v; }
}
class WP_REST_Request {
	public function __construct( private string $route = '', private array $headers = [], private string $body = '', private array $params = [] ) {}
	public function get_route(): string { return $this->route; }
	public function get_header( string $k ): ?string { return $this->headers[ $k ] ?? null; }
	public function get_body(): string { return $this->body; }
	public function get_param( string $k ): mixed { return $this->params[ $k ] ?? null; }
}
class WP_Post {
	public string $post_status = 'publish';
	public string $post_type = 'post';
}
class WP_Role_Stub {
	public function __construct( private string $name ) {}
	public function add_cap( string $cap ): void { $GLOBALS['wp']['role_caps'][ $this->name ][ $cap ] = true; }
	public function remove_cap( string $cap ): void { unset( $GLOBALS['wp']['role_caps'][ $this->name ][ $cap ] ); }
	public function has_cap( string $cap ): bool { return ! empty( $GLOBALS['wp']['role_caps'][ $this->name ][ $cap ] ); }
}

// Hooks: recorded; apply_filters runs what was added.
function add_filter( string $hook, callable $cb, int $priority = 10, int $args = 1 ): bool { $GLOBALS['wp']['filters'][ $hook ][] = $cb; return true; }
function add_action( string $hook, callable $cb, int $priority = 10, int $args = 1 ): bool { return add_filter( $hook, $cb, $priority, $args ); }
function apply_filters( string $hook, mixed $value, mixed ...$args ): mixed {
	foreach ( $GLOBALS['wp']['filters'][ $hook ] ?? [] as $cb ) { $value = $cb( $value, ...$args ); }
	return $value;
}

// Options and transients (with their lifetime, to assert on).
function get_option( string $name, mixed $default = false ): mixed { return $GLOBALS['wp']['options'][ $name ] ?? $default; }
function update_option( string $name, mixed $value, mixed $autoload = null ): bool { $GLOBALS['wp']['options'][ $name ] = $value; return true; }
function delete_option( string $name ): bool { unset( $GLOBALS['wp']['options'][ $name ] ); return true; }
function get_transient( string $name ): mixed { return $GLOBALS['wp']['transients'][ $name ]['value'] ?? false; }
function set_transient( string $name, mixed $value, int $ttl = 0 ): bool { $GLOBALS['wp']['transients'][ $name ] = [ 'value' => $value, 'ttl' => $ttl ]; return true; }
function delete_transient( string $name ): bool { unset( $GLOBALS['wp']['transients'][ $name ] ); return true; }
function add_settings_error( string $setting, string $code, string $message ): void { $GLOBALS['wp']['errors'][] = $code; }

// Text: translation is identity; escaping and sanitising as WordPress documents them, simplified.
function __( string $s, string $d = '' ): string { return $s; }
function esc_html__( string $s, string $d = '' ): string { return esc_html( $s ); }
function translate_user_role( string $s ): string { return $s; }
function esc_html( string $s ): string { return htmlspecialchars( $s, ENT_QUOTES, 'UTF-8' ); }
function esc_attr( string $s ): string { return htmlspecialchars( $s, ENT_QUOTES, 'UTF-8' ); }
function esc_url_raw( string $s ): string { return preg_match( '#^https?://#i', $s ) ? str_replace( [ '"', "'", '<', '>', ' ' ], '', $s ) : ''; }
function esc_url( string $s ): string { return htmlspecialchars( esc_url_raw( $s ), ENT_QUOTES, 'UTF-8' ); }
function sanitize_text_field( string $s ): string { return trim( preg_replace( '/[\r\n\t ]+/', ' ', strip_tags( $s ) ) ); }
function sanitize_key( string $s ): string { return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( $s ) ); }
function wp_parse_url( string $url, int $component = -1 ): mixed { return parse_url( $url, $component ); }
function checked( mixed $a, mixed $b = true, bool $echo = true ): string { return $a === $b ? ' checked=\'checked\'' : ''; }

// Users, roles, capabilities.
function wp_roles(): object { return new class { public function get_names(): array { return [ 'administrator' => 'Administrator', 'editor' => 'Editor', 'subscriber' => 'Subscriber' ]; } }; }
function get_role( string $name ): ?WP_Role_Stub { return isset( $GLOBALS['wp']['role_caps'][ $name ] ) ? new WP_Role_Stub( $name ) : null; }
function is_user_logged_in(): bool { return $GLOBALS['wp']['user'] !== null; }
function wp_get_current_user(): object { return (object) [ 'roles' => $GLOBALS['wp']['user'] ?? [] ]; }
function get_current_user_id(): int { return $GLOBALS['wp']['user'] ? 1 : 0; }
function current_user_can( string $cap ): bool { return in_array( $cap, $GLOBALS['wp']['caps'], true ); }
function rest_authorization_required_code(): int { return is_user_logged_in() ? 403 : 401; }

// Request context: each is false unless a test sets $GLOBALS['wp']['flags'][name].
function wp_flag( string $name ): bool { return ! empty( $GLOBALS['wp']['flags'][ $name ] ); }
function is_admin(): bool { return wp_flag( 'is_admin' ); }
function is_preview(): bool { return wp_flag( 'is_preview' ); }
function is_feed(): bool { return wp_flag( 'is_feed' ); }
function is_customize_preview(): bool { return wp_flag( 'is_customize_preview' ); }
function wp_is_json_request(): bool { return wp_flag( 'wp_is_json_request' ); }

// Scripts, REST, URLs.
function wp_enqueue_script( string $handle, string $src = '', array $deps = [], mixed $ver = false, array|bool $args = [] ): void { $GLOBALS['wp']['scripts'][ $handle ] = compact( 'src', 'deps', 'ver', 'args' ); }
function register_rest_route( string $ns, string $route, array $args ): bool { $GLOBALS['wp']['routes'][ "/$ns$route" ] = $args; return true; }
function rest_url( string $path = '' ): string { return 'https://blog.example/wp-json/' . ltrim( $path, '/' ); }
function plugins_url( string $path, string $file ): string { return 'https://blog.example/wp-content/plugins/cairn-analytics/' . $path; }
// The edit screen: the post being edited ($GLOBALS['wp']['post']), and whether the block editor edits it.
function get_post(): ?WP_Post { return $GLOBALS['wp']['post'] ?? null; }
function get_permalink( WP_Post $post ): string { return $GLOBALS['wp']['permalink'] ?? 'https://blog.example/hello-world/'; }
function is_post_type_viewable( string $type ): bool { return $type === 'post'; }
function use_block_editor_for_post( WP_Post $post ): bool { return $GLOBALS['wp']['block_editor'] ?? true; }
function wp_create_nonce( string $action ): string { return 'nonce-' . $action; }
function wp_localize_script( string $handle, string $name, array $data ): bool { $GLOBALS['wp']['localized'][ $handle ] = [ $name, $data ]; return true; }
function is_wp_error( mixed $x ): bool { return $x instanceof WP_Error; }

// HTTP: requests are recorded; answers come from a queue a test fills with wp_respond().
function wp_respond( int|WP_Error $status, string $body = '', array $headers = [] ): void {
	$GLOBALS['wp']['responses'][] = $status instanceof WP_Error ? $status : [ 'response' => [ 'code' => $status ], 'body' => $body, 'headers' => $headers ];
}
function wp_remote_request( string $method, string $url, array $args ): array|WP_Error {
	$GLOBALS['wp']['requests'][] = [ 'method' => $method, 'url' => $url ] + $args;
	return array_shift( $GLOBALS['wp']['responses'] ) ?? new WP_Error( 'http_request_failed', 'no answer queued' );
}
function wp_remote_get( string $url, array $args = [] ): array|WP_Error { return wp_remote_request( 'GET', $url, $args ); }
function wp_remote_post( string $url, array $args = [] ): array|WP_Error { return wp_remote_request( 'POST', $url, $args ); }
function wp_remote_retrieve_response_code( mixed $r ): int|string { return is_array( $r ) ? $r['response']['code'] : ''; }
function wp_remote_retrieve_body( mixed $r ): string { return is_array( $r ) ? $r['body'] : ''; }
function wp_remote_retrieve_header( mixed $r, string $name ): string { return is_array( $r ) ? ( $r['headers'][ $name ] ?? '' ) : ''; }

function plugin_basename( string $file ): string { return 'cairn-analytics/' . basename( $file ); }

require __DIR__ . '/TestCase.php';
