#!/usr/bin/env node
/**
 * `node dist/zoo.js ARGS` (what the root `pnpm start` runs) = `plugconv zoo --out <repository>/docs ARGS`: the zoo
 * report of every shipped config (see commands/zoo.ts), written where the docs site reads it.
 */
import { fileURLToPath } from 'node:url';
import { main } from './cli.js';

const docs = fileURLToPath(new URL('../../../docs', import.meta.url));
main(['zoo', '--out', docs, ...process.argv.slice(2)]).then((code) => process.exit(code));
