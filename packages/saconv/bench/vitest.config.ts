import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npx vitest run --config packages/saconv/bench/vitest.config.ts`: the benchmarks, outside the test suite
// (they print timings and assert nothing about speed).
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['packages/saconv/bench/**/*.bench.ts'],
    setupFiles: ['packages/core/test/setup.ts'],
    testTimeout: 1_800_000,
    pool: 'forks',
  },
});
