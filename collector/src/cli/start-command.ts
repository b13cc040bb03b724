/** `cairn start`: builds what it serves when its sources changed, runs the collector, and stops it cleanly on a signal. */
import { startCollector } from '../collector.ts';
import type { Config } from '../config.ts';
import type { Command } from './command.ts';
import { ensureBuilt } from './ensure-built.ts';

async function start(config: Config): Promise<void> {
  // Handlers first: a signal that arrives while the store opens still gets a clean stop.
  let signalled: string | null = null;
  let stop = (signal: string) => {
    signalled ??= signal;
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  ensureBuilt('@cairn/tracker', 'dist/t.js', ['src', 'rollup.config.js', 'package.json']);
  // The widgets' build makes widgets.js and the dashboard app together; the app's service worker is its last output.
  ensureBuilt('@cairn/widgets', 'dist/app/sw.js', ['src', 'scripts', 'package.json']);
  const collector = await startCollector({ config });
  // Besides the JSON log on stdout, a few plain words for the person who just typed `npm start`.
  const lines = [`\nCairn is running. Open the dashboard: ${collector.publicUrl}/`];
  if (collector.setupLink) {
    lines.push('No owner yet: create the owner account with this link (valid 24 hours):', `  ${collector.setupLink}`);
  }
  console.error(`${lines.join('\n')}\nStop it with Ctrl+C.\n`);
  let stopping = false;
  stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    collector.log.info({ signal }, 'stopping: no new connections, flushing acknowledged events');
    collector.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`cairn: stop failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  if (signalled) stop(signalled);
}

export const startCommand: Command = {
  name: 'start',
  usage: 'cairn start',
  summary: ['run the collector (embedded store in ./data)'],
  async run({ config }) {
    await start(config);
    return 'running';
  },
};
