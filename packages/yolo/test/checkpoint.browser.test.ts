import { BROWSER_BACKENDS, at, fetchFixture } from '@plugconv/test-harness/browser';
import { describe, expect, it } from 'vitest';
import { describeComparison, runFixtureAsync, TOLERANCE, useBackend } from '@plugconv/core';
import { loadCheckpoint } from '../src/checkpoint.js';
import { rgbaToRgb } from '../src/predict/image.js';
import { predictImage } from '../src/predict/predict.js';

// GPU suite: ultralytics checkpoints read and built in the browser (bytes in: no fs) with loadCheckpoint, on
// webgl, webgpu and browser wasm, compared with what their fp16 weights compute in PyTorch by `plugconv check`'s
// rule (boxes in grid cells; end2end: output_raw, then the top-k). The checkpoints are @plugconv/core's fixtures.
const checkpoint = (name: string) => at(`../../core/fixtures/checkpoints/${name}`, import.meta.url);
const CHECKPOINTS = ['yolo26-t', 'yolo11-C3k2-DSConv-t'];

describe.each(BROWSER_BACKENDS)('ultralytics checkpoints through loadCheckpoint on %s', (backend) => {
  it.each(CHECKPOINTS)('%s.pt matches PyTorch', async (name) => {
    await useBackend(backend);
    const res = await fetch(checkpoint(`${name}.pt`));
    expect(res.ok).toBe(true);
    const t0 = performance.now();
    const loaded = loadCheckpoint(new Uint8Array(await res.arrayBuffer()), { source: `${name}.pt`, warn: () => {} });
    const loadMs = performance.now() - t0;
    const fixture = await fetchFixture(checkpoint(`${name}.safetensors`));
    try {
      expect(loaded.model.numParams()).toBe(fixture.meta.params);
      const r = await runFixtureAsync(loaded.model, fixture, TOLERANCE[backend]);
      console.log(`[gpu-suite] ${backend} ${name}.pt loaded in ${loadMs.toFixed(0)} ms; ${describeComparison(r).replace(/\n/g, '; ')}`);
      expect(r.pass).toBe(true);
    } finally {
      loaded.model.dispose();
      for (const t of [fixture.input, fixture.output, ...(fixture.outputRaw ? [fixture.outputRaw] : [])]) t.dispose();
    }
  });
});

// The trained shapes model (weights/, fixtures/demo/) on a held-out image in the browser: ultralytics'
// detections, and predict's per-image latency. On browser wasm only: at 320 px, WebGL and WebGPU on SwiftShader
// (CPU emulations) take minutes and their times say nothing about a GPU; the checkpoints above cover them.
const own = (name: string) => at(`../${name}`, import.meta.url);

describe.each(['wasm'] as const)('the trained shapes model in the browser on %s', (backend) => {
  it("chelsea.png: ultralytics' detections; per-image latency", async (ctx) => {
    const res = await fetch(own('weights/shapes-yolo11n-C3k2-DSConv.pt'));
    if (!res.ok) {
      console.warn('weights/shapes-yolo11n-C3k2-DSConv.pt is not in the tree: skipped');
      ctx.skip();
    }
    await useBackend(backend);
    const loaded = loadCheckpoint(new Uint8Array(await res.arrayBuffer()), { source: 'shapes-yolo11n-C3k2-DSConv.pt', warn: () => {} });
    const ref = (await (await fetch(own('fixtures/demo/ultralytics-predict.json'))).json()) as { images: { image: string; detections: { score: number; class: number }[] }[] };
    const bitmap = await createImageBitmap(await (await fetch(own('fixtures/demo/chelsea.png'))).blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const c2d = canvas.getContext('2d')!;
    c2d.drawImage(bitmap, 0, 0);
    const img = rgbaToRgb(c2d.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height);
    try {
      const times: number[] = [];
      let detections;
      for (let i = 0; i < 5; i++) {
        const p = await predictImage(loaded.model, img, { imgsz: loaded.imgsz });
        if (i >= 2) times.push(p.speed.preprocess + p.speed.inference + p.speed.postprocess);
        detections = p.detections;
      }
      const expected = ref.images.find((i) => i.image === 'chelsea.png')!.detections;
      console.log(`[gpu-suite] ${backend} trained model, chelsea.png: ${detections!.length} detections, per image ${[...times].sort((a, b) => a - b)[1]!.toFixed(0)} ms (median of 3 after 2)`);
      expect(detections!.map((d) => d.cls)).toEqual(expected.map((d) => d.class));
      detections!.forEach((d, i) => expect(Math.abs(d.conf - expected[i]!.score)).toBeLessThan(1e-3));
    } finally {
      loaded.model.dispose();
    }
  });
});
