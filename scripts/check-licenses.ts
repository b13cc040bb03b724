/**
 * License check over the installed runtime dependencies (ARCHITECTURE.md, "License and
 * dependencies"): Cairn is MIT and is embedded everywhere, so everything it ships must carry a
 * permissive license. Run by `npm test`; exits 1 naming each package that does not.
 */
import { execFileSync } from 'node:child_process';

const ALLOWED = new Set(['MIT', 'MIT-0', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'Apache-2.0', 'Unlicense', 'CC0-1.0']);

/** True when an SPDX expression is satisfied by allowed licenses ("(MIT OR GPL-3.0)" is, "MIT AND GPL-3.0" is not). */
function allowed(expr: string): boolean {
  const clean = expr.replace(/[()]/g, ' ').trim();
  return clean.split(/\s+OR\s+/).some((alt) => alt.split(/\s+AND\s+/).every((id) => ALLOWED.has(id.trim())));
}

interface Pkg {
  name: string;
  version: string;
  license?: string | { type?: string };
  location: string;
}

const packages = JSON.parse(execFileSync('npm', ['query', '.prod'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Pkg[];
const counts = new Map<string, number>();
const refused: string[] = [];
for (const p of packages) {
  const license = typeof p.license === 'string' ? p.license : (p.license?.type ?? 'UNKNOWN');
  counts.set(license, (counts.get(license) ?? 0) + 1);
  if (!allowed(license)) refused.push(`${p.name}@${p.version} (${license}) at ${p.location}`);
}
console.log(`licenses of ${packages.length} runtime packages: ${[...counts].map(([l, n]) => `${l} ${n}`).join(', ')}`);
if (refused.length > 0) {
  console.error(`not allowed in Cairn's runtime dependencies:\n  ${refused.join('\n  ')}`);
  process.exit(1);
}
