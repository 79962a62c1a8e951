import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo page: built into docs/demo (`pnpm demo` builds it and serves the build). Workspace packages are
// bundled from their TypeScript sources through the "development" export condition.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { conditions: ['development', 'browser', 'module'] },
  build: {
    outDir: fileURLToPath(new URL('../../../docs/demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 10_000,
  },
  preview: { port: 5173, strictPort: false },
});
