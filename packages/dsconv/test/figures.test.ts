import { beforeAll, describe, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useBackend } from '@plugconv/core';
import { expectFigures, fixturePath, type ConfigFigures } from '@plugconv/test-harness/node';
import { configModel } from './helpers.js';

const figures: Record<string, ConfigFigures> = JSON.parse(readFileSync(fixturePath(import.meta.url, 'figures.json'), 'utf8'));

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
