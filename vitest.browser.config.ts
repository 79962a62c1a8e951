import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// GPU suite: every package's test/**/*.browser.test.ts in headless Chromium (Debian's /usr/bin/chromium) on
// webgl, webgpu and browser wasm. Without a GPU, WebGL and WebGPU run on SwiftShader: exact but slow, so the
// browser fixtures are the small module fixtures and yolov8 at scale t, 64x64.
export default defineConfig({
  resolve: { conditions: ['development', 'browser'] },
  optimizeDeps: {
    include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@plugconv/test-harness > @plugconv/core > yaml', '@plugconv/test-harness > @plugconv/core > fastest-levenshtein'],
  },
  server: { fs: { allow: ['.'] } },
  test: {
    include: ['packages/*/test/**/*.browser.test.ts', 'tools/*/test/**/*.browser.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--enable-unsafe-webgpu',
            '--enable-unsafe-swiftshader',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            ...(process.env.PLUGCONV_GPU ? ['--enable-features=Vulkan', '--use-angle=vulkan'] : []),
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
