import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo page: built into docs/demo (`pnpm demo` builds it and serves the build). Workspace packages are
// bundled from their TypeScript sources through the "development" export condition.
// Served cross-origin isolated (COOP + COEP): the page gets SharedArrayBuffer, so tfjs-backend-wasm loads its
// threaded SIMD build (a host that cannot send these headers gets the single-threaded SIMD build instead).
const crossOriginIsolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { conditions: ['development', 'browser', 'module'] },
  build: {
    outDir: fileURLToPath(new URL('../../../docs/demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 10_000,
    // esbuild's minifier, not vite's default: tfjs-backend-wasm starts its threaded build's workers from the
    // source text of its module factory (Function.toString), and the default minifier leaves a name in that
    // text that only exists outside the function ('e is not defined' in every worker, the backend never ready)
    minify: 'esbuild',
  },
  server: { headers: crossOriginIsolation },
  preview: { port: 5173, strictPort: false, headers: crossOriginIsolation },
});
