import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { DynamicConv2d } from '../src/index.js';
import { fixturePath, configModel } from './helpers.js';

type Figures = Record<string, { params: number; gradients: number; gflops: number; gflops_thop: number }>;
const figures: Figures = JSON.parse(readFileSync(fixturePath('figures.json'), 'utf8'));

beforeAll(() => useBackend('wasm'));

function withModel<T>(cfg: string, scale: string, f: (m: DetectionModel) => T): T {
  const m = configModel(cfg, scale);
  try {
    return f(m);
  } finally {
    m.dispose();
  }
}

describe("yolov8-DynamicConv: figures.json's params, gradients and GFLOPs (counted by the FLOP rule)", () => {
  it.each(['n', 's', 'm'])('scale %s', (scale) => {
    const ref = figures[`yolov8-DynamicConv@${scale}`]!;
    const s = withModel('yolov8-DynamicConv.yaml', scale, summarize);
    expect(s.params).toBe(ref.params);
    expect(s.gradients).toBe(ref.gradients);
    expect(Math.abs(s.gflops - ref.gflops) / ref.gflops).toBeLessThan(0.005);
    // thop's number counts no CondConv arithmetic: ours must not be that one
    expect(Math.abs(s.gflops - ref.gflops_thop) / ref.gflops_thop).toBeGreaterThan(0.05);
  });
});

describe('the ParameterNet claim: more parameters, the same GFLOPs', () => {
  /** Parameters DynamicConv adds over the Conv it replaces: routing E*c1 + E and E-1 more kernels. */
  const extraParams = (m: DetectionModel) =>
    m
      .namedModules()
      .filter(([, x]) => x instanceof DynamicConv2d)
      .reduce((n, [, x]) => {
        const d = x as DynamicConv2d;
        const kernel = d.condConv.weight.shape[1]!;
        return n + d.experts * d.cin + d.experts + (d.experts - 1) * kernel;
      }, 0);

  it.each(['yolov8-DynamicConv.yaml', 'yolov8-C2f-DynamicConv.yaml'].flatMap((c) => ['n', 's', 'm'].map((s) => [c, s] as const)))('%s at %s', (cfg, scale) => {
    const base = figures[`yolov8@${scale}`]!;
    const { s, extra } = withModel(cfg, scale, (m) => ({ s: summarize(m), extra: extraParams(m) }));
    expect(s.params).toBe(base.params + extra);
    expect(s.params / base.params).toBeGreaterThan(1.3);
    expect(Math.abs(s.gflops - base.gflops) / base.gflops).toBeLessThan(0.005);
  });

  it.each(['n', 's', 'm'])('yolov8-C2f-GhostModule-DynamicConv at %s: lighter than yolov8 in both (GhostModule halves the convolutions)', (scale) => {
    const base = figures[`yolov8@${scale}`]!;
    const s = withModel('yolov8-C2f-GhostModule-DynamicConv.yaml', scale, summarize);
    expect(s.params).toBeLessThan(base.params);
    expect(s.gflops).toBeLessThan(base.gflops);
    expect(s.gradients).toBe(s.params - 16);
  });
});
