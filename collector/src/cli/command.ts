/**
 * A `cairn` command as the command table (commands.ts) declares it: its words, its lines in
 * `cairn help`, the arguments it needs, its options and what it does. main.ts parses the command
 * line once against every command's options, finds the command by its words and runs it; the
 * help text is made from the table, so that a command cannot be missing from it.
 */
import { VERSION } from '../collector.ts';
import { OPTIONS, type Config } from '../config.ts';
import type { Admin } from './admin-call.ts';

export type Flags = Record<string, string | boolean | undefined>;

export interface CommandOption {
  type: 'string' | 'boolean';
  /** What the option takes, for its help line (`<IANA zone>`). */
  value?: string;
  /** Its own line under the command in `cairn help`; options without one are shown in `usage`. */
  help?: string;
}

export interface Command {
  /** The words that call it: `site add`. */
  name: string;
  /** How it is called, as `cairn help` shows it. */
  usage: string;
  /** What it does: the lines beside (or under, for a long usage) its usage in `cairn help`. */
  summary: string[];
  /** For each argument it needs after its words, what is said when it is missing. */
  args?: string[];
  options?: Record<string, CommandOption>;
  /** Resolves with the exit code (0 when nothing), or 'running' for `cairn start`. */
  run(ctx: CommandContext): Promise<number | 'running' | void>;
}

export interface CommandContext {
  /** The arguments after the command's words: as many as it declares in `args`. */
  args: string[];
  flags: Flags;
  config: Config;
  /** The admin app of the data directory: the running collector's, or one served for this command. */
  admin: Admin;
}

/** What a command that needs a site id says without one: `goal list needs a site id: cairn goal list <site>`. */
export const needsSite = (command: string, rest = '') => `${command} needs a site id: cairn ${command} <site>${rest}`;

/** A string flag's value, or undefined. */
export function text(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** `a, b or c`. */
export const oneOf = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? ''));

const COLUMN = 32;
const indent = (n: number) => ' '.repeat(n);

function helpLines(c: Pick<Command, 'usage' | 'summary' | 'options'>): string[] {
  const [first = '', ...rest] = c.summary;
  const head = c.usage.length < COLUMN - 1 ? [`  ${c.usage.padEnd(COLUMN)}${first}`] : [`  ${c.usage}`, indent(COLUMN + 2) + first];
  const options = Object.entries(c.options ?? {}).flatMap(([name, o]) => (o.help ? [`      ${`--${name}${o.value ? ` ${o.value}` : ''}`.padEnd(COLUMN - 4)}${o.help}`] : []));
  return [...head, ...rest.map((line) => indent(COLUMN + 2) + line), ...options];
}

/** The text of `cairn help`: every command of the table, `cairn help` itself, then the configuration options. */
export function usageText(commands: readonly Command[]): string {
  const lines = [...commands, { usage: 'cairn help', summary: ['this text'] }].flatMap(helpLines);
  const options = Object.values(OPTIONS).map((o) => `  --${o.flag.padEnd(22)} ${o.env}${o.fallback && !o.fallback.startsWith('/') ? ` (default ${o.fallback})` : ''}`);
  return `cairn ${VERSION} — self-hosted, cookie-free web analytics

Usage:
${lines.join('\n')}

Options (flags win over environment variables):
${options.join('\n')}
`;
}
