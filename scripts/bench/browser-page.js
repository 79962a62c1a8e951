// The browser benchmark's page code (bundled by scripts/bench-browser.mjs with esbuild; served with cross-origin
// isolation headers so both engines can use threads): tfjs with its wasm backend, plugconv's browser entry and
// the shared cold-start steps. onnxruntime-web comes through browser-ort-page.js (imported from its own dist).
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as core from '@plugconv/core';
import * as yolo from '@plugconv/yolo/browser';
import { ortSessionOptions, plugconvFirstDetection, testPixels } from './cold-steps.mjs';
import { fetchBytes, importOrt } from './browser-ort-page.js';

wasm.setWasmPaths('/tfjs/');

/** What the page runs on: isolation, the thread counts the engines report, the cores the browser offers. */
async function environment(ort) {
  return { wasmThreadsSupported: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency, tfjsWasmThreads: wasm.getThreadsCount(), ortNumThreads: ort?.env.wasm.numThreads, userAgent: navigator.userAgent };
}

/**
 * Latency on this page with `threads` threads for both engines: every network built in plugconv (deployed) and
 * loaded in onnxruntime-web (wasm), then `warmup` + `runs` rounds, each running every network once on each side,
 * the sides' order alternating round by round. plugconv's time includes reading the output back, as
 * onnxruntime-web's run does. Returns ms per side per network and the environment.
 */
export async function latency({ threads, models, runs, warmup, imgsz = 640 }) {
  wasm.setThreadsCount(threads); // before the backend starts: the thread pool is made once
  await core.useBackend('wasm');
  tf.env().set('PROD', true);
  const ort = await importOrt(threads);
  const pixels = testPixels(imgsz, imgsz);
  const x = tf.tensor4d(pixels, [1, imgsz, imgsz, 3]);
  const nchw = new Float32Array(pixels.length);
  for (let i = 0; i < imgsz * imgsz; i++) for (let c = 0; c < 3; c++) nchw[c * imgsz * imgsz + i] = pixels[i * 3 + c];
  const entries = [];
  for (const m of models) {
    const model = core.buildModel(core.parseYoloConfig(m.configText, m.configName), { registry: yolo.registry, scale: m.scale, warn: () => {} }).eval();
    core.deploy(model);
    const session = await ort.InferenceSession.create(await fetchBytes(m.onnxUrl), ortSessionOptions());
    const input = { [session.inputNames[0]]: new ort.Tensor('float32', nchw, [1, 3, imgsz, imgsz]) };
    const sides = [
      {
        side: 'plugconv',
        run: async () => {
          const y = model.predict(x);
          await y.data();
          y.dispose();
        },
      },
      { side: 'ort-web', run: () => session.run(input) },
    ];
    entries.push({ name: m.name, model, session, sides, times: { plugconv: [], 'ort-web': [] } });
  }
  for (let r = -warmup; r < runs; r++) {
    for (const e of entries) {
      const order = r % 2 ? [...e.sides].reverse() : e.sides;
      for (const s of order) {
        const t0 = performance.now();
        await s.run();
        if (r >= 0) e.times[s.side].push(performance.now() - t0);
      }
    }
  }
  const env = await environment(ort);
  for (const e of entries) {
    e.model.dispose();
    await e.session.release();
  }
  x.dispose();
  return { env, results: entries.map((e) => ({ name: e.name, times: e.times })) };
}

/** plugconv's cold start on this (fresh) page, after the caller timed importing this bundle. */
export async function coldPlugconv({ threads, weights, config, imgsz = 640 }) {
  const r = await plugconvFirstDetection({ tf, wasm, core, yolo, threads, config, weights: { ...weights, read: () => fetchBytes(weights.url) }, imgsz });
  return { ...r, env: await environment(null) };
}
