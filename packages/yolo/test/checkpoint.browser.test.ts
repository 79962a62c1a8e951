import { BROWSER_BACKENDS, at, fetchFixture } from '@plugconv/test-harness/browser';
import { describe, expect, it } from 'vitest';
import { describeComparison, runFixtureAsync, TOLERANCE, useBackend } from '@plugconv/core';
import { loadCheckpoint } from '../src/checkpoint.js';

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
