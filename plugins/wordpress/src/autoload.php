<?php
// PSR-4 for Cairn\WordPress\ => src/ (no Composer: the plugin ships without a vendor directory).
spl_autoload_register(static function (string $class): void {
	$prefix = 'Cairn\\WordPress\\';
	if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
		return;
	}
	$file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
	if (is_file($file)) {
		require $file;
	}
});
