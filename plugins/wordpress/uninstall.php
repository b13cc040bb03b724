<?php
// Removes everything the plugin stored: its options, its cached tokens and scripts, its capability.
defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require __DIR__ . '/src/autoload.php';

delete_option( \Cairn\WordPress\Settings::OPTION );
delete_option( \Cairn\WordPress\Settings::KEY_OPTION );
delete_transient( \Cairn\WordPress\Token_Client::TRANSIENT );
array_map( 'delete_transient', \Cairn\WordPress\Proxy::script_transients() );
\Cairn\WordPress\Capability::revoke_from_all();
