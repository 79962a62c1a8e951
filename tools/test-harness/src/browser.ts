import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@plugconv/core/gradients';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describe, expect, it } from 'vitest';
import { buildModel, checkFixtureData, fixtureFromBytes, parseYoloConfig, ultralyticsVersion, useBackend, type BackendName, type FixtureCheck, type Module, type Registry, type UltralyticsVersion } from '@plugconv/core';
import { classifyFixtures, moduleFromMeta } from './fixtures.js';

setWasmPaths({ 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl });
tf.env().set('PROD', true);

/** The backends every GPU test runs on. */
export const BROWSER_BACKENDS: BackendName[] = ['webgl', 'webgpu', 'wasm'];

/**
 * A file next to a test, as the dev server serves it: `at('../fixtures/x.safetensors', import.meta.url)`.
 * Test modules report their file-system path as the URL path; vite serves such files under `/@fs/`.
 */
export function at(relative: string, base: string): URL {
  const u = new URL(relative, base);
  return u.pathname.startsWith('/@fs/') ? u : new URL(`/@fs${u.pathname}`, u.origin);
}

/** Fetches `<case>.safetensors` and its `<case>.json` (served by vitest's dev server). */
export async function fetchFixture(url: URL) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const metaRes = await fetch(new URL(url.href.replace(/\.safetensors$/, '.json')));
  const meta = metaRes.ok ? ((await metaRes.json()) as Record<string, unknown>) : {};
  return fixtureFromBytes(bytes, meta, url.pathname);
}

/** Fetches a text file (a YAML config) served by vitest's dev server. */
export async function fetchText(url: URL): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/** Checks a fixture on a browser backend by the backend's tolerance, and reports time and error. */
export async function browserCheck(url: URL, make: (meta: Record<string, unknown>) => Module<tf.Tensor, any>, backend: BackendName): Promise<FixtureCheck & { ms: number }> {
  await useBackend(backend);
  const fixture = await fetchFixture(url);
  const t0 = performance.now();
  const r = await checkFixtureData(fixture, make, backend);
  const ms = performance.now() - t0;
  console.log(`[gpu-suite] ${backend} ${url.pathname.split('/').pop()} max|err| ${r.maxAbsError.toExponential(2)} ${r.pass ? 'PASS' : 'FAIL'} ${ms.toFixed(0)} ms`);
  return { ...r, ms };
}

/** A whole-model fixture: `models/<name>.safetensors` with the YAML that defines it (in the same folder). */
export interface ModelCase {
  fixture: string;
  yaml: string;
  scale: string;
  /** The ultralytics semantics to build with (default: the fixture JSON's `ultralytics`, else the build's default). */
  ultralytics?: UltralyticsVersion;
}

/** The semantics a fixture's JSON names (`"ultralytics": "8.2.82"`), if it names one. */
const semanticsOf = (meta: Record<string, unknown>) => (meta.ultralytics === undefined ? undefined : ultralyticsVersion(meta.ultralytics));

/**
 * The GPU suite of one package: every module fixture (built from its .json's `module` and `args` through
 * `registry`) and every whole-model fixture (built from YAML in the browser) on webgl, webgpu and wasm, each
 * checked against PyTorch's output by the backend's tolerance. `base` is the test file's import.meta.url; the
 * fixtures are `../fixtures/<dir>/<name>.safetensors` from it (`dir` '' for a flat fixtures folder).
 */
export function describeGpuParity(title: string, base: string, registry: Registry, moduleFixtures: string[], models: ModelCase[] = [], dirs = { modules: '', models: 'models/' }): void {
  const fx = (name: string) => at(`../fixtures/${name}`, base);
  const byMeta = moduleFromMeta(registry);
  describe.each(BROWSER_BACKENDS)(`${title} on %s`, (backend) => {
    if (moduleFixtures.length) {
      it.each(moduleFixtures)('%s matches PyTorch', async (name) => {
        const r = await browserCheck(fx(`${dirs.modules}${name}.safetensors`), byMeta, backend);
        expect(r.params).toBe(r.meta.params);
        expect(r.pass).toBe(true);
      });
    }
    for (const m of models) {
      it(`${m.fixture} (${m.yaml} at ${m.scale}, built from YAML in the browser) matches PyTorch end to end`, async () => {
        const yaml = await fetchText(fx(`${dirs.models}${m.yaml}`));
        const r = await browserCheck(fx(`${dirs.models}${m.fixture}.safetensors`), (meta) => buildModel(parseYoloConfig(yaml, m.yaml), { registry, scale: m.scale, warn: () => {}, ultralytics: m.ultralytics ?? semanticsOf(meta) }), backend);
        // (a model fixture's JSON may not name its parameter count; its state dict loads strictly either way)
        if (r.meta.params !== undefined) expect(r.params).toBe(r.meta.params);
        expect(r.pass).toBe(true);
      });
    }
  });
}

/** What a package adds to {@link describeBrowserParity}. */
export interface BrowserParityOptions {
  /** Whether to check the whole-model fixtures in fixtures/models as well (default true). */
  models?: boolean;
}

/**
 * The GPU suite of a module package, driven by its fixtures folder like the Node parity suite: `fixtures` is
 * `import.meta.glob('../fixtures/{modules,models}/*.json', { eager: true, import: 'default' })` written in the
 * test file (Vite resolves the pattern when it serves the file, relative to it), so every fixture the folder holds is checked on
 * webgl, webgpu and wasm without listing names. `base` is the test file's import.meta.url.
 */
export function describeBrowserParity(title: string, base: string, registry: Registry, fixtures: Record<string, unknown>, options: BrowserParityOptions = {}): void {
  const found = classifyFixtures(Object.entries(fixtures) as [string, Record<string, unknown>][]);
  const models = options.models === false ? [] : found.models.map((m) => ({ fixture: m.name, yaml: m.cfg, scale: m.scale }));
  describeGpuParity(title, base, registry, found.modules.map((m) => m.name), models, { modules: 'modules/', models: 'models/' });
}
