#!/usr/bin/env node
import { main } from '../src/cli/main.ts';

const code = await main(process.argv.slice(2));
// `start` returns 'running' and keeps the process alive until a signal; other commands end here.
if (code !== 'running') process.exit(code);
