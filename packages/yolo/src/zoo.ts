#!/usr/bin/env node
/**
 * `node dist/zoo.js ARGS` (what the root `pnpm start` runs) = `plugconv zoo --out <repository>/runs/zoo ARGS`: the
 * zoo report of every shipped config (see commands/zoo.ts), written where ultralytics-style tools put what a run
 * makes (runs/, git-ignored), so the job leaves the working tree as it was. `pnpm run docs` shows the report.
 */
import { fileURLToPath } from 'node:url';
import { main } from './cli.js';

const out = fileURLToPath(new URL('../../../runs/zoo', import.meta.url));
main(['zoo', '--out', out, ...process.argv.slice(2)]).then((code) => process.exit(code));
