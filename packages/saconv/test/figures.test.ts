import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { swappedBottleneckParams } from '@plugconv/test-harness/derived-figures';
import { coreFixturePath, modelFromConfig } from '@plugconv/test-harness/node';
import { configModel, registry } from './helpers.js';

beforeAll(() => useBackend('wasm'));

// summarize() at 640 (GFLOPs by the FLOP rule); layers = PyTorch's module count (the reference SAConv2d owns
// its SiLU, so each adds 3 modules over a Conv)
const FIGURES: Record<string, Record<string, { layers: number; params: number; gradients: number; gflops: number }>> = {
  'yolov8-SAConv.yaml': {
    n: { layers: 243, params: 3884502, gradients: 3884486, gflops: 10.057466528 },
    s: { layers: 243, params: 14072678, gradients: 14072662, gflops: 33.576575296 },
    m: { layers: 313, params: 31517302, gradients: 31517286, gflops: 89.468349024 },
  },
  'yolov8-C2f-SAConv.yaml': {
    n: { layers: 255, params: 3736362, gradients: 3736346, gflops: 10.049697216 },
    s: { layers: 255, params: 13479434, gradients: 13479418, gflops: 33.560857472 },
    m: { layers: 355, params: 33465252, gradients: 33465236, gflops: 98.771399808 },
  },
};

/** What one SAConv2d(c1, c2, 3, s) adds over a Conv(c1, c2, 3, s) on an h x w input: params and MACs. */
function saconvExtra(c1: number, c2: number, s: number, h: number): { params: number; macs: number } {
  const ho = h / s;
  return {
    // weight_diff, switch (weight + bias), pre_context, post_context (BN and weight are Conv's too)
    params: c2 * c1 * 9 + (c1 + 1) + (c1 * c1 + c1) + (c2 * c2 + c2),
    macs:
      ho * ho * c2 * c1 * 9 + // the large branch
      ho * ho * c1 + // switch
      h * h * c1 + // 5x5 average
      (h * h + 1) * c1 + // GAP -> pre_context
      c1 * c1 +
      (ho * ho + 1) * c2 + // GAP -> post_context
      c2 * c2,
  };
}

// input size of each replaced row at 640 (row -> stride of its input): the stride-2 Convs after the stem that
// yolov8-SAConv and yolo11-SAConv replace, yolov8's C2f rows
const SACONV_ROWS: Record<string, Record<number, number>> = {
  'yolov8-SAConv.yaml': { 1: 2, 3: 4, 5: 8, 7: 16, 16: 8, 19: 16 },
  'yolo11-SAConv.yaml': { 1: 2, 3: 4, 5: 8, 7: 16, 17: 8, 20: 16 },
};
const C2F_ROWS: Record<number, number> = { 2: 4, 4: 8, 6: 16, 8: 32, 12: 16, 15: 8, 18: 16, 21: 32 };

/** The figures derived from the base (yolov8, yolo11) at the same scale plus what each replacement adds. */
function derived(cfg: string, base: DetectionModel, model: DetectionModel): { params: number; gflops: number } {
  const s = summarize(base);
  const saRows = SACONV_ROWS[cfg] ?? {};
  let params = s.params;
  let macs = 0;
  for (const l of model.info) {
    if (l.index in saRows) {
      expect(l.type).toBe('SAConv2d');
      const [c1, c2] = l.args as number[];
      const e = saconvExtra(c1!, c2!, 2, 640 / saRows[l.index]!);
      params += e.params;
      macs += e.macs;
    }
    if (cfg === 'yolov8-C2f-SAConv.yaml' && l.index in C2F_ROWS) {
      expect(l.type).toBe('C2f_SAConv');
      const [, c2, n] = l.args as number[];
      const c = Math.trunc(c2! * 0.5);
      const e = saconvExtra(c, c, 1, 640 / C2F_ROWS[l.index]!);
      params += n! * e.params;
      macs += n! * e.macs;
    }
  }
  return { params, gflops: s.gflops + (2 * macs) / 1e9 };
}

describe.each(Object.keys(FIGURES))('%s', (cfg) => {
  it.each(['n', 's', 'm'])('at %s: layers, params, gradients and GFLOPs, equal to yolov8 plus what each SAConv2d adds', (scale) => {
    const want = FIGURES[cfg]![scale]!;
    const model = configModel(cfg, scale, '8.2');
    const base = modelFromConfig(coreFixturePath('models/yolov8.yaml'), registry, scale);
    try {
      const s = summarize(model);
      expect(s.layers).toBe(want.layers);
      expect(s.params).toBe(want.params);
      expect(s.gradients).toBe(want.gradients);
      expect(s.gflops).toBeCloseTo(want.gflops, 6);
      const d = derived(cfg, base, model);
      expect(s.params).toBe(d.params);
      expect(s.gflops).toBeCloseTo(d.gflops, 6);
    } finally {
      model.dispose();
      base.dispose();
    }
  });
});

describe('the configs run', () => {
  it.each([
    ['yolov8-SAConv.yaml', 64],
    ['yolov8-C2f-SAConv.yaml', 96],
    ['yolo11-SAConv.yaml', 64],
    // SAConv2d's switch reflect-pads by 2: the P5 map needs 3x3 at least, so 96x96 for an SAConv2d at stride 32
    ['yolo11-C3k2-SAConv.yaml', 96],
    ['yolo26-C3k2-SAConv.yaml', 96],
  ])('%s at t on a %i-pixel square: (1, 84, anchors) or, end2end, (1, min(300, anchors), 6), finite', (cfg, size) => {
    const model = configModel(cfg, 't', cfg.startsWith('yolov8') ? '8.2' : '8.4');
    const y = model.predict(tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 3));
    const anchors = (size / 8) ** 2 + (size / 16) ** 2 + (size / 32) ** 2;
    expect(y.shape).toEqual(cfg.startsWith('yolo26') ? [1, Math.min(300, anchors), 6] : [1, 84, anchors]);
    expect(y.dataSync().every(Number.isFinite)).toBe(true);
    y.dispose();
    model.dispose();
  });
});

// ------------------------------------------------------------------------------------------ YOLO11 and YOLO26

/**
 * yolo11-SAConv (derived from yolo11 as above, params and GFLOPs) and the C3k2 variants (params derived from the base:
 * every Bottleneck of its C3k2 blocks, direct, inside C3k or before PSABlock, replaced by Bottleneck_SAConv(c, c, e=1),
 * a Conv(c, c, 3) 9c^2 + 2c plus an SAConv2d(c, c, 3): weight and weight_diff 18c^2, switch c + 1, pre and post
 * context 2(c^2 + c), BN 2c, so 29c^2 + 7c + 1 in all), summarize() at 640 pinned (GFLOPs to 3 decimals; layers as
 * ultralytics 8.4 counts them, leaf modules).
 */
const V84_FIGURES: Record<string, Record<string, { layers: number; params: number; gflops: number }>> = {
  'yolo11-SAConv.yaml': {
    n: { layers: 200, params: 3459094, gflops: 8.353 },
    s: { layers: 200, params: 12795334, gflops: 28.5 },
    m: { layers: 250, params: 30307846, gflops: 93.293 },
  },
  'yolo11-C3k2-SAConv.yaml': {
    n: { layers: 215, params: 3038555, gflops: 8.046 },
    s: { layers: 215, params: 11113035, gflops: 27.296 },
    m: { layers: 280, params: 22124496, gflops: 74.824 },
  },
  'yolo26-C3k2-SAConv.yaml': {
    n: { layers: 299, params: 3090661, gflops: 7.257 },
    s: { layers: 299, params: 12079749, gflops: 27.121 },
    m: { layers: 325, params: 24856583, gflops: 82.524 },
  },
};

describe.each(Object.keys(V84_FIGURES))('%s (ultralytics 8.4 semantics, no reference figures)', (cfg) => {
  it.each(['n', 's', 'm'])('at %s: pinned figures, derived from the base', (scale) => {
    const want = V84_FIGURES[cfg]![scale]!;
    const family = cfg.startsWith('yolo26') ? 'yolo26' : 'yolo11';
    const model = configModel(cfg, scale);
    const base = modelFromConfig(coreFixturePath(`v11/models/${family}.yaml`), registry, scale);
    try {
      const s = summarize(model);
      console.log(`${s.name}: ${s.layers} layers, ${s.params} params, ${s.gradients} gradients, ${s.gflops.toFixed(6)} GFLOPs`);
      expect([s.layers, s.params, Number(s.gflops.toFixed(3))]).toEqual([want.layers, want.params, want.gflops]);
      // the DFL's 16 frozen weights; yolo26 (reg_max 1) has no DFL
      expect(s.gradients).toBe(s.params - (family === 'yolo26' ? 0 : 16));
      if (cfg === 'yolo11-SAConv.yaml') {
        const d = derived(cfg, base, model);
        expect(s.params).toBe(d.params);
        expect(s.gflops).toBeCloseTo(d.gflops, 6);
      } else {
        expect(s.params).toBe(swappedBottleneckParams(base, (c) => 29 * c * c + 7 * c + 1));
      }
    } finally {
      model.dispose();
      base.dispose();
    }
  });
});
