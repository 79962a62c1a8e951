import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BatchNorm2d, deploy, fuse, reparameterize, summarize } from '@plugconv/core';
import { swappedBottleneckParams, ultralyticsFuse } from '@plugconv/test-harness/derived-figures';
import { coreFixturePath, fixturePath, modelFromConfig } from '@plugconv/test-harness/node';
import { RepGhostModule } from '../src/index.js';
import { configModel, registry } from './helpers.js';

/** yolov8.yaml's eight C2f rows: [c2 as written, repeats, feature-map side at 640]. */
const C2F_ROWS: [number, number, number][] = [
  [128, 3, 160],
  [256, 6, 80],
  [512, 6, 40],
  [1024, 3, 20],
  [512, 3, 40],
  [256, 3, 80],
  [512, 3, 40],
  [1024, 3, 20],
];
const SCALES: Record<string, [number, number, number]> = { n: [0.33, 0.25, 1024], s: [0.33, 0.5, 1024], m: [0.67, 0.75, 768] };

/** Python's round (half to even), for the repeat rule. */
const pyRound = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

/**
 * The arithmetic of swapping each C2f's Bottleneck(c, c, e=1) for RepGhostBottleneck(c, c, c):
 * Bottleneck = two Conv(c, c, 3): 18c^2 + 4c params, 18c^2 HW + 2 * 4cHW MACs (BN counts 4*numel);
 * RepGhostBottleneck = two RepGhostModule(c, c): each 1x1 conv c^2 + primary BN 2c + fusion BN 2c + 3x3
 * depthwise 9c + cheap BN 2c = c^2 + 15c params, and c^2 HW + 9cHW + 3 * 4cHW MACs. Channels c = int(
 * makeDivisible(min(c2, max) * width, 8) / 2), repeats max(round(n * depth), 1).
 */
function delta(scale: string): { params: number; macs: number } {
  const [depth, width, maxCh] = SCALES[scale]!;
  let params = 0;
  let macs = 0;
  for (const [c2, n, side] of C2F_ROWS) {
    const c = Math.trunc((Math.ceil((Math.min(c2, maxCh) * width) / 8) * 8) / 2);
    const reps = n > 1 ? Math.max(pyRound(n * depth), 1) : n;
    const hw = side * side;
    params += reps * (2 * (c * c + 15 * c) - (18 * c * c + 4 * c));
    macs += reps * hw * (2 * (c * c + 9 * c + 12 * c) - (18 * c * c + 8 * c));
  }
  return { params, macs };
}

/** figures.json's yolov8 params (ultralytics 8.2.82). */
const YOLOV8: Record<string, number> = { n: 3157200, s: 11166560, m: 25902640 };

/** What `summarize` must print for yolov8-C2f-RepGhost (derived above; GFLOPs rounded as figures.json). */
const EXPECTED: Record<string, { params: number; gradients: number; gflops: number }> = {
  n: { params: 2333744, gradients: 2333728, gflops: 6.865 },
  s: { params: 7840288, gradients: 7840272, gflops: 20.637 },
  m: { params: 15004528, gradients: 15004512, gflops: 45.491 },
};

describe('yolov8-C2f-RepGhost figures at 640 (counted by the FLOP rule)', () => {
  it.each(['n', 's', 'm'])('scale %s: exact params and gradients, GFLOPs = yolov8 + the derived difference', (scale) => {
    const { params, macs } = delta(scale);
    expect(YOLOV8[scale]! + params).toBe(EXPECTED[scale]!.params);
    const v8 = modelFromConfig(coreFixturePath('models/yolov8.yaml'), registry, scale);
    const v8Gflops = summarize(v8).gflops;
    v8.dispose();
    const model = configModel('yolov8-C2f-RepGhost.yaml', scale, '8.2');
    const s = summarize(model);
    console.log(`yolov8${scale}-C2f-RepGhost: ${s.layers} layers, ${s.params} params, ${s.gradients} gradients, ${s.gflops.toFixed(6)} GFLOPs (yolov8${scale} ${v8Gflops.toFixed(6)})`);
    expect(s.params).toBe(EXPECTED[scale]!.params);
    expect(s.gradients).toBe(EXPECTED[scale]!.gradients);
    expect(s.gradients).toBe(s.params - 16);
    expect(s.gflops).toBeCloseTo(v8Gflops + (2 * macs) / 1e9, 6);
    expect(Number(s.gflops.toFixed(3))).toBe(EXPECTED[scale]!.gflops);
    // re-parameterised and deployed figures (printed for the README)
    reparameterize(model);
    const r = summarize(model);
    deploy(model);
    const d = summarize(model);
    console.log(`  reparameterize(): ${r.params} params, ${r.gflops.toFixed(3)} GFLOPs; deploy(): ${d.params} params, ${d.gflops.toFixed(3)} GFLOPs`);
    expect(r.params).toBeLessThan(s.params);
    expect(d.params).toBeLessThan(r.params);
    model.dispose();
  });
});

// ------------------------------------------------------------------------------------------ YOLO11 and YOLO26

type V11Figures = Record<string, { params: number; gradients: number; gflops: number; fused_params: number }>;
const figures: V11Figures = JSON.parse(readFileSync(fixturePath(import.meta.url, 'figures.json'), 'utf8'));
// ultralytics 8.4.104's figures of yolo11, yolo12 and yolo26 (core's fixtures)
const v11: V11Figures = JSON.parse(readFileSync(coreFixturePath('v11/figures.json'), 'utf8'));

/**
 * The base's parameters with every Bottleneck of its C3k2 blocks (direct, inside C3k, before PSABlock) replaced by
 * RepGhostBottleneck(c, c, c): two RepGhostModule(c, c), each a 1x1 conv c^2 + primary BN 2c + fusion BN 2c +
 * depthwise 3x3 9c + its BN 2c = c^2 + 15c. Derived from the base model's bottleneck widths, not from this package.
 */
function swappedBottlenecks(base: 'yolo11' | 'yolo26', scale: string): number {
  const model = modelFromConfig(coreFixturePath(`v11/models/${base}.yaml`), registry, scale);
  try {
    return swappedBottleneckParams(model, (c) => 2 * (c * c + 15 * c));
  } finally {
    model.dispose();
  }
}

const deviations: string[] = [];

describe("yolo26-C3k2-RepGhost at n..x: ultralytics 8.4.104's figures", () => {
  it.each(['n', 's', 'm', 'l', 'x'])('scale %s: params and gradients exactly (= yolo26 with RepGhostBottlenecks), GFLOPs within 0.5 percent, fused params exactly', (scale) => {
    const ref = figures[`yolo26-C3k2-RepGhost@${scale}`]!;
    const model = configModel('yolo26-C3k2-RepGhost.yaml', scale);
    try {
      const s = summarize(model);
      expect([s.ultralytics, s.params, s.gradients]).toEqual(['8.4', ref.params, ref.gradients]);
      expect(swappedBottlenecks('yolo26', scale)).toBe(ref.params);
      const deviation = s.gflops / ref.gflops - 1;
      deviations.push(`yolo26${scale}-C3k2-RepGhost ${s.gflops.toFixed(4)} vs ${ref.gflops} (${(deviation * 100).toFixed(4)}%)`);
      expect(Math.abs(deviation)).toBeLessThan(0.005);
      // plugconv's fuse() also folds each RepGhostModule's primary BN: c parameters fewer per module
      const primaries = model.namedModules().reduce((n, [, m]) => (m instanceof RepGhostModule ? n + (m.primaryConv.layers[1] as BatchNorm2d).channels : n), 0);
      // ultralytics' fuse() leaves RepGhostModule (not a Conv) alone
      ultralyticsFuse(model);
      expect(model.numParams()).toBe(ref.fused_params);
      fuse(model);
      expect(model.numParams()).toBe(ref.fused_params - primaries);
    } finally {
      model.dispose();
    }
  });

  it('GFLOPs deviations are reported', () => {
    console.log(`GFLOPs vs figures.json:\n${deviations.join('\n')}`);
    expect(deviations).toHaveLength(5);
  });
});

/** yolo11-C3k2-RepGhost and yolo26-C3k2-RepGhost at n, s, m from summarize() at 640 (GFLOPs to 3 decimals), then re-parameterised and deployed. */
const PINNED: Record<string, Record<string, { params: number; gflops: number; reparameterized: number; deployed: number }>> = {
  'yolo11-C3k2-RepGhost.yaml': {
    n: { params: 2269632, gflops: 5.99, reparameterized: 2266464, deployed: 2258528 },
    s: { params: 8013088, gflops: 18.923, reparameterized: 8006752, deployed: 7991552 },
    m: { params: 17239936, gflops: 58.066, reparameterized: 17230336, deployed: 17207360 },
  },
  // deploy() of an end2end model also drops the one-to-many head (fuse)
  'yolo26-C3k2-RepGhost.yaml': {
    n: { params: 2224968, gflops: 5.529, reparameterized: 2221800, deployed: 2058364 },
    s: { params: 8592728, gflops: 20.059, reparameterized: 8586392, deployed: 8072572 },
    m: { params: 19087288, gflops: 65.111, reparameterized: 19077688, deployed: 17592444 },
  },
};

describe.each(Object.keys(PINNED))('%s: pinned figures, params derived from the base', (cfg) => {
  it.each(['n', 's', 'm'])('scale %s', (scale) => {
    const want = PINNED[cfg]![scale]!;
    const base = cfg.startsWith('yolo26') ? 'yolo26' : 'yolo11';
    const model = configModel(cfg, scale);
    try {
      const s = summarize(model);
      expect(s.params).toBe(swappedBottlenecks(base, scale));
      // the DFL's 16 frozen weights; yolo26 (reg_max 1) has no DFL
      expect(s.gradients).toBe(s.params - (base === 'yolo26' ? 0 : 16));
      reparameterize(model);
      const r = summarize(model);
      deploy(model);
      const d = summarize(model);
      console.log(`${s.name}: ${s.layers} layers, ${s.params} params, ${s.gflops.toFixed(4)} GFLOPs; reparameterize(): ${r.params} params, ${r.gflops.toFixed(3)} GFLOPs; deploy(): ${d.params} params, ${d.gflops.toFixed(3)} GFLOPs (${base}${scale}: ${v11[`${base}@${scale}`]!.params} params, ${v11[`${base}@${scale}`]!.gflops} GFLOPs)`);
      expect([s.params, Number(s.gflops.toFixed(3)), r.params, d.params]).toEqual([want.params, want.gflops, want.reparameterized, want.deployed]);
    } finally {
      model.dispose();
    }
  });
});
