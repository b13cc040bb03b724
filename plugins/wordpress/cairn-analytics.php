<?php
/**
 * Plugin Name:       Cairn Analytics
 * Plugin URI:        https://github.com/cairn-analytics/cairn
 * Description:       Cookie-free analytics from your own Cairn collector: the tracker on every page, the dashboard in wp-admin.
 * Version:           0.1.0
 * Requires at least: 6.5
 * Requires PHP:      8.1
 * Author:            Cairn
 * License:           MIT
 * Text Domain:       cairn-analytics
 */

// This file only boots: everything else lives in src/ (namespace Cairn\WordPress).
defined('ABSPATH') || exit;

define('CAIRN_ANALYTICS_VERSION', '0.1.0');
define('CAIRN_ANALYTICS_FILE', __FILE__);

require __DIR__ . '/src/autoload.php';

register_activation_hook(__FILE__, [\Cairn\WordPress\Capability::class, 'grant_to_administrators']);
(new \Cairn\WordPress\Plugin())->hook();
