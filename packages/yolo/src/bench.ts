#!/usr/bin/env node
/**
 * `node dist/bench.js ARGS` (what the root `pnpm bench ARGS` runs) = `plugconv bench ARGS`: median forward latency,
 * achieved GFLOP/s and peak memory of a config (see commands/bench.ts).
 */
import { main } from './cli.js';

main(['bench', ...process.argv.slice(2)]).then((code) => process.exit(code));
