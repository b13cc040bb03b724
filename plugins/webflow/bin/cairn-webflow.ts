#!/usr/bin/env node
// Starts the Cairn Webflow app server, configured by the environment (docs/webflow.md).
import { checkCollector } from '@cairn/tracker/integration';
import { startApp } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

try {
  const config = loadConfig();
  // An unreachable collector is a warning (it may start later); a refused key stops the start.
  const problem = await checkCollector({ collector: config.collector, key: config.integrationKey, keyName: 'CAIRN_INTEGRATION_KEY', integrationName: 'Webflow app' });
  if (problem?.fatal) {
    process.stderr.write(`[@cairn/webflow] cannot start: ${problem.message}\n`);
    process.exit(1);
  }
  if (problem) process.stderr.write(`[@cairn/webflow] warning: ${problem.message}\n`);
  const app = await startApp(config);
  // Before saying it listens: whoever reads that line may stop it at once.
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`[@cairn/webflow] listening on port ${new URL(app.url).port}, public URL ${config.appUrl}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `[@cairn/webflow] ${(err as Error).stack ?? err}`}\n`);
  process.exit(1);
}
