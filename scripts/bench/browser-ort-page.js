// The browser benchmark's onnxruntime-web side (bundled by scripts/bench-browser.mjs): onnxruntime-web is imported
// from its own dist folder, served at /ort/, as a page would load it. A cold start of onnxruntime-web runs on a
// page that loaded only this bundle (no tfjs); the latency page imports these helpers too.
import { ortFirstRun } from './cold-steps.mjs';

const ORT_MODULE = '/ort/ort.wasm.min.mjs';

/** The bytes at `url`; fails naming the URL. */
export async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** onnxruntime-web's wasm-only build, set to `threads` threads (before its runtime starts) and its files at /ort/. */
export async function importOrt(threads) {
  const ort = await import(/* @vite-ignore */ ORT_MODULE);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/ort/';
  return ort;
}

/** onnxruntime-web's cold start on this (fresh) page: import its module, session create, first run. */
export async function coldOrt({ threads, onnxUrl, imgsz = 640 }) {
  const t0 = performance.now();
  const ort = await importOrt(threads);
  const importMs = performance.now() - t0;
  const r = await ortFirstRun({ ort, threads, read: () => fetchBytes(onnxUrl), imgsz });
  return { ...r, times: { import: importMs, ...r.times }, env: { crossOriginIsolated: globalThis.crossOriginIsolated === true, ortNumThreads: ort.env.wasm.numThreads } };
}
