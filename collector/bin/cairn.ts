#!/usr/bin/env node
import { main } from '../src/cli/main.ts';

const code = await main(process.argv.slice(2));
// `start` keeps running until a signal; other commands end here.
if (process.argv[2] !== 'start' || code !== 0) process.exit(code);
