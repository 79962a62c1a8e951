import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fuse, summarize, useBackend } from '@plugconv/core';
import { loadModel } from '../src/configs.js';

type Figures = Record<string, { params: number; gradients: number; gflops: number; fused_params?: number; fused_gflops?: number }>;
const ultralytics: Figures = JSON.parse(readFileSync(new URL('../fixtures/ultralytics-figures.json', import.meta.url), 'utf8'));

beforeAll(() => useBackend('wasm'));

describe("ultralytics 8.2.82's own figures", () => {
  const cases = Object.keys(ultralytics).map((k) => k.split('@') as [string, string]);
  it.each(cases)('%s at %s: params, gradients, GFLOPs, fused params and GFLOPs', (cfg, scale) => {
    const ref = ultralytics[`${cfg}@${scale}`]!;
    const model = loadModel(`${cfg}.yaml`, { scale });
    try {
      const s = summarize(model, 640);
      expect(s.params).toBe(ref.params);
      expect(s.gradients).toBe(ref.gradients);
      expect(Math.abs(s.gflops - ref.gflops)).toBeLessThan(0.01);
      fuse(model.eval());
      const f = summarize(model, 640);
      expect(f.fused).toBe(true);
      expect(f.params).toBe(ref.fused_params);
      expect(Math.abs(f.gflops - ref.fused_gflops!)).toBeLessThan(0.01);
    } finally {
      model.dispose();
    }
  });
});

describe('yolov8-ghost from the same code', () => {
  // ultralytics' yolov8-ghost.yaml states these summaries in its scale comments
  const published: [string, number, number, number][] = [
    ['n', 403, 1865316, 5.8],
    ['s', 403, 5960072, 16.4],
    ['m', 603, 10336312, 32.7],
    ['l', 803, 14277872, 53.7],
    ['x', 803, 22229308, 83.3],
  ];
  it.each(published)('yolov8%s-ghost: %i layers, %i parameters, %f GFLOPs', (scale, layers, params, gflops) => {
    const model = loadModel(`yolov8${scale}-ghost.yaml`, { ultralytics: '8.2' });
    try {
      const s = summarize(model, 640);
      expect(s.name).toBe(`YOLOv8${scale}-ghost`);
      expect(s.layers).toBe(layers);
      expect(s.params).toBe(params);
      expect(s.gradients).toBe(params - 16);
      expect(Number(s.gflops.toFixed(1))).toBe(gflops);
    } finally {
      model.dispose();
    }
  });
});
