import { defineConfig } from 'vitest/config';

// Node suite: every package's test/**/*.test.ts, sources resolved through the "development" export condition
// (no build needed for library code). Backends cpu and wasm are registered by the setup file.
export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
    exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
    setupFiles: ['packages/core/test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
