import { describe, expect, it } from 'vitest';
import { deploy, reparameterize, summarize } from '@plugconv/core';
import { coreFixturePath, modelFromConfig } from '@plugconv/test-harness/node';
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
