import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fuse, summarize, useBackend } from '@plugconv/core';
import { coreFixturePath, expectFigures, fixturePath, type ConfigFigures } from '@plugconv/test-harness/node';
import { configModel } from './helpers.js';

type Figures = Record<string, ConfigFigures & { fused_params?: number }>;
const figures: Figures = JSON.parse(readFileSync(fixturePath(import.meta.url, 'figures.json'), 'utf8'));
// ultralytics 8.4.104's figures of yolo11, yolo12 and yolo26 (core's fixtures)
const v11: Figures = JSON.parse(readFileSync(coreFixturePath('v11/figures.json'), 'utf8'));

beforeAll(() => useBackend('wasm'));

describe('summarize gives figures.json', () => {
  it.each(['n', 's', 'm'])('yolov8-C2f-DSConv at %s: params and gradients exactly, GFLOPs within 0.5 percent', (scale) => {
    expectFigures(configModel('yolov8-C2f-DSConv.yaml', scale, '8.2'), figures[`yolov8-C2f-DSConv@${scale}`]!);
  });

  // DSConv2D keeps Conv's parameter shapes and counts as a convolution: yolov8-DSConv has yolov8's figures
  it.each(['n', 's', 'm'])("yolov8-DSConv at %s equals yolov8's figures", (scale) => {
    expectFigures(configModel('yolov8-DSConv.yaml', scale, '8.2'), figures[`yolov8@${scale}`]!);
  });
});

const deviations: string[] = [];

describe('YOLO11 with DSConv (ultralytics 8.4 semantics)', () => {
  // figures.json's yolo11-C3k2-DSConv entries are ultralytics 8.4.104's model_info with the C3k2 variant
  // registered; fused_params after its fuse(), which folds DSConv2D's BatchNorm as it does Conv's
  it.each(['n', 's', 'm', 'l', 'x'])('yolo11-C3k2-DSConv at %s: params and gradients exactly, GFLOPs within 0.5 percent, fused params exactly', (scale) => {
    const ref = figures[`yolo11-C3k2-DSConv@${scale}`]!;
    const model = configModel('yolo11-C3k2-DSConv.yaml', scale);
    try {
      const s = summarize(model);
      expect([s.ultralytics, s.params, s.gradients]).toEqual(['8.4', ref.params, ref.gradients]);
      const deviation = s.gflops / ref.gflops - 1;
      deviations.push(`yolo11${scale}-C3k2-DSConv ${s.gflops.toFixed(4)} vs ${ref.gflops} (${(deviation * 100).toFixed(4)}%)`);
      expect(Math.abs(deviation)).toBeLessThan(0.005);
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
    } finally {
      model.dispose();
    }
  });

  // DSConv2D has Conv's parameters and MACs: yolo11-DSConv has yolo11's figures, fused ones included
  it.each(['n', 's', 'm'])("yolo11-DSConv at %s equals yolo11's figures", (scale) => {
    const ref = v11[`yolo11@${scale}`]!;
    const model = configModel('yolo11-DSConv.yaml', scale);
    try {
      const s = summarize(model);
      expect([s.params, s.gradients]).toEqual([ref.params, ref.gradients]);
      const deviation = s.gflops / ref.gflops - 1;
      deviations.push(`yolo11${scale}-DSConv ${s.gflops.toFixed(4)} vs yolo11 ${ref.gflops} (${(deviation * 100).toFixed(4)}%)`);
      expect(Math.abs(deviation)).toBeLessThan(0.005);
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
    } finally {
      model.dispose();
    }
  });

  it('GFLOPs deviations are reported', () => {
    console.log(`GFLOPs vs the reference:\n${deviations.join('\n')}`);
    expect(deviations).toHaveLength(8);
  });
});
