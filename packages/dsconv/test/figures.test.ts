import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { summarize, useBackend } from '@plugconv/core';
import { fixturePath } from '@plugconv/test-harness/node';
import { configModel } from './helpers.js';

type Figures = Record<string, { params: number; gradients: number; gflops: number }>;
const figures: Figures = JSON.parse(readFileSync(fixturePath(import.meta.url, 'figures.json'), 'utf8'));

beforeAll(() => useBackend('wasm'));

describe('summarize gives figures.json', () => {
  it.each(['n', 's', 'm'])('yolov8-C2f-DSConv at %s: params and gradients exactly, GFLOPs within 0.5 percent', (scale) => {
    const ref = figures[`yolov8-C2f-DSConv@${scale}`]!;
    const model = configModel('yolov8-C2f-DSConv.yaml', scale, '8.2');
    try {
      const s = summarize(model, 640);
      expect(s.params).toBe(ref.params);
      expect(s.gradients).toBe(ref.gradients);
      expect(Math.abs(s.gflops - ref.gflops) / ref.gflops).toBeLessThan(0.005);
    } finally {
      model.dispose();
    }
  });

  // DSConv2D keeps Conv's parameter shapes and counts as a convolution: yolov8-DSConv has yolov8's figures
  it.each(['n', 's', 'm'])("yolov8-DSConv at %s equals yolov8's figures", (scale) => {
    const ref = figures[`yolov8@${scale}`]!;
    const model = configModel('yolov8-DSConv.yaml', scale, '8.2');
    try {
      const s = summarize(model, 640);
      expect(s.params).toBe(ref.params);
      expect(s.gradients).toBe(ref.gradients);
      expect(Math.abs(s.gflops - ref.gflops) / ref.gflops).toBeLessThan(0.005);
    } finally {
      model.dispose();
    }
  });
});
