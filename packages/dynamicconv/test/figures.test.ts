import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fuse, summarize, useBackend, type DetectionModel, type UltralyticsVersion } from '@plugconv/core';
import { swappedBottleneckParams, ultralyticsFuse } from '@plugconv/test-harness/derived-figures';
import { coreFixturePath, modelFromConfig } from '@plugconv/test-harness/node';
import { DynamicConv2d } from '../src/index.js';
import { fixturePath, configModel, registry } from './helpers.js';

type Figures = Record<string, { params: number; gradients: number; gflops: number; gflops_thop: number; fused_params: number }>;
const figures: Figures = JSON.parse(readFileSync(fixturePath('figures.json'), 'utf8'));
// ultralytics 8.4.104's figures of yolo11, yolo12 and yolo26 (core's fixtures)
const v11: Figures = JSON.parse(readFileSync(coreFixturePath('v11/figures.json'), 'utf8'));

beforeAll(() => useBackend('wasm'));

/** The semantics a config is built with: YOLOv8's configs as ultralytics 8.2, YOLO11/26's as 8.4. */
const semanticsOf = (cfg: string): UltralyticsVersion => (cfg.startsWith('yolov8') ? '8.2' : '8.4');

function withModel<T>(cfg: string, scale: string, f: (m: DetectionModel) => T): T {
  const m = configModel(cfg, scale, semanticsOf(cfg));
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

  /** The config's base model's figures: yolov8's (figures.json) or yolo11's / yolo26's (ultralytics 8.4, core's). */
  const baseOf = (cfg: string, scale: string) => (cfg.startsWith('yolov8') ? figures[`yolov8@${scale}`]! : v11[`${cfg.split('-')[0]}@${scale}`]!);

  it.each(['yolov8-DynamicConv.yaml', 'yolov8-C2f-DynamicConv.yaml', 'yolo11-DynamicConv.yaml', 'yolo26-DynamicConv.yaml'].flatMap((c) => ['n', 's', 'm'].map((s) => [c, s] as const)))('%s at %s', (cfg, scale) => {
    const base = baseOf(cfg, scale);
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

/** The yolo11 scales [depth, width, max_channels] and the c2 of its six stride-2 Convs after the stem (rows 1, 3, 5, 7, 17, 20). */
const YOLO11_SCALES: Record<string, [number, number, number]> = { n: [0.5, 0.25, 1024], s: [0.5, 0.5, 1024], m: [0.5, 1, 512], l: [1, 1, 512], x: [1, 1.5, 512] };
const DOWNSAMPLING_C2 = [128, 256, 512, 1024, 256, 512];

const deviations: string[] = [];

describe("yolo11-DynamicConv at n..x: ultralytics 8.4.104's figures", () => {
  it.each(['n', 's', 'm', 'l', 'x'])('scale %s: params and gradients exactly, GFLOPs within 0.5 percent, fused params exactly', (scale) => {
    const ref = figures[`yolo11-DynamicConv@${scale}`]!;
    const model = configModel('yolo11-DynamicConv.yaml', scale);
    try {
      const s = summarize(model);
      expect([s.ultralytics, s.params, s.gradients]).toEqual(['8.4', ref.params, ref.gradients]);
      const deviation = s.gflops / ref.gflops - 1;
      deviations.push(`yolo11${scale}-DynamicConv ${s.gflops.toFixed(4)} vs ${ref.gflops} (${(deviation * 100).toFixed(4)}%)`);
      expect(Math.abs(deviation)).toBeLessThan(0.005);
      expect(Math.abs(s.gflops / ref.gflops_thop - 1)).toBeGreaterThan(0.05);
      // ultralytics' fuse() leaves DynamicConv (not a Conv) alone
      ultralyticsFuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
      // plugconv's fuse() also folds the six DynamicConvs' BatchNorms: c2 parameters fewer each (2 * c2 -> c2 bias)
      const [, width, maxCh] = YOLO11_SCALES[scale]!;
      const folded = DOWNSAMPLING_C2.reduce((n, c2) => n + Math.ceil((Math.min(c2, maxCh) * width) / 8) * 8, 0);
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params - folded);
    } finally {
      model.dispose();
    }
  });

  it('GFLOPs deviations are reported', () => {
    console.log(`GFLOPs vs figures.json:\n${deviations.join('\n')}`);
    expect(deviations).toHaveLength(5);
  });
});

/** yolo11's parameters with every C3k2 Bottleneck (width c) replaced by a block of `perBlock(c)` parameters. */
function swappedBottlenecks(scale: string, perBlock: (c: number) => number): number {
  const base = modelFromConfig(coreFixturePath('v11/models/yolo11.yaml'), registry, scale);
  try {
    return swappedBottleneckParams(base, perBlock);
  } finally {
    base.dispose();
  }
}

const E = 4; // experts
/** DynamicConv(c1, c2, k): routing Linear(c1, E) with bias, E kernels, BatchNorm. */
const dynamicConvParams = (c1: number, c2: number, k: number) => E * c1 + E + E * c2 * c1 * k * k + 2 * c2;
/** GhostModule(c, c): init = ceil(c/2) from DynamicConv2d(c, init, 1) + BN, as many from a depthwise DynamicConv2d(init, init, 3) + BN. */
const ghostModuleParams = (c: number) => {
  const init = Math.ceil(c / 2);
  return E * c + E + E * init * c + 2 * init + (E * init + E + E * init * 9 + 2 * init);
};

/**
 * Figures pinned from summarize() at 640 (GFLOPs by the FLOP rule, to 3 decimals). The C3k2 variants' params are
 * derived below from yolo11's; yolo26-DynamicConv's from yolo26's in the ParameterNet test above.
 */
const PINNED: Record<string, Record<string, { params: number; gflops: number }>> = {
  'yolo11-C3k2-DynamicConv.yaml': { n: { params: 4285176, gflops: 7.279 }, s: { params: 16094008, gflops: 24.235 }, m: { params: 29970304, gflops: 68.696 } },
  'yolo11-C3k2-GhostModule-DynamicConv.yaml': { n: { params: 2267608, gflops: 5.784 }, s: { params: 8008952, gflops: 18.255 }, m: { params: 17233664, gflops: 56.743 } },
  'yolo26-DynamicConv.yaml': { n: { params: 4578896, gflops: 6.257 }, s: { params: 18031952, gflops: 23.125 }, m: { params: 46898512, gflops: 75.749 } },
};
const PER_BLOCK: Record<string, (c: number) => number> = {
  'yolo11-C3k2-DynamicConv.yaml': (c) => 2 * dynamicConvParams(c, c, 3),
  'yolo11-C3k2-GhostModule-DynamicConv.yaml': ghostModuleParams,
};

describe.each(Object.keys(PINNED))('%s (no reference figures): pinned', (cfg) => {
  it.each(['n', 's', 'm'])('scale %s', (scale) => {
    const want = PINNED[cfg]![scale]!;
    const s = withModel(cfg, scale, summarize);
    console.log(`${s.name}: ${s.layers} layers, ${s.params} params, ${s.gradients} gradients, ${s.gflops.toFixed(4)} GFLOPs`);
    if (PER_BLOCK[cfg]) expect(s.params).toBe(swappedBottlenecks(scale, PER_BLOCK[cfg]));
    expect(s.params).toBe(want.params);
    // the DFL's 16 frozen weights; yolo26 (reg_max 1) has no DFL
    expect(s.gradients).toBe(s.params - (cfg.startsWith('yolo26') ? 0 : 16));
    expect(Number(s.gflops.toFixed(3))).toBe(want.gflops);
  });
});
