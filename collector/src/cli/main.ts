/** The `cairn` command line: parses the flags once, finds the command in the table (commands.ts) and runs it. */
import { parseArgs } from 'node:util';
import { VERSION } from '../collector.ts';
import { loadConfig, OPTIONS, type Config } from '../config.ts';
import { StoreError } from '../store/store.ts';
import { adminCall } from './admin-call.ts';
import { usageText, type Flags } from './command.ts';
import { COMMANDS, findCommand } from './commands.ts';
import { UsageError } from './usage-error.ts';

/** Every flag any command takes, and the configuration's: flags may come before the command's words. */
function flagOptions(): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = Object.fromEntries(Object.values(OPTIONS).map((o) => [o.flag, { type: 'string' }]));
  for (const c of COMMANDS) for (const [name, o] of Object.entries(c.options ?? {})) options[name] = { type: o.type };
  return { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } };
}

function configFrom(flags: Flags): Config {
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(flags)) if (typeof v === 'string') strings[k] = v;
  return loadConfig(strings);
}

function usageError(message: string): number {
  console.error(`cairn: ${message}\n\n${usageText(COMMANDS)}`);
  return 2;
}

/** Runs the CLI with `argv` (without node and the script): an exit code, or 'running' for `start`. */
export async function main(argv: string[]): Promise<number | 'running'> {
  let positionals: string[];
  let flags: Flags;
  try {
    const parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: flagOptions() });
    positionals = parsed.positionals;
    flags = parsed.values as Flags;
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (flags.version) {
    console.log(VERSION);
    return 0;
  }
  if (flags.help || !positionals[0] || positionals[0] === 'help') {
    console.log(usageText(COMMANDS));
    return 0;
  }
  try {
    const config = configFrom(flags);
    const { command, args } = findCommand(positionals);
    const admin = adminCall(config);
    try {
      return (await command.run({ args, flags, config, admin })) ?? 0;
    } finally {
      await admin.close();
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    // A store failure names its operation for the logs; a person needs only the reason.
    console.error(`cairn: ${err instanceof StoreError ? err.reason : (err as Error).message}`);
    return 1;
  }
}
