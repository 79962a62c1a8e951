import * as tf from '@tensorflow/tfjs-core';
import { DynamicConv2d } from '../src/index.js';
import type { ReferenceLayer } from './reference.js';

/** A DynamicConv2d test case: constructor arguments and the input size. */
export interface LayerCase {
  name: string;
  c1: number;
  c2: number;
  k: number;
  s?: number;
  p?: number | null;
  d?: number;
  g?: number;
  bias?: boolean;
  experts?: number;
  batch: number;
  h: number;
  w: number;
}

/** Cases covering groups (depthwise experts), k=1, k=5 stride 2 on odd sizes, 8 experts, dilation, bias. */
export const LAYER_CASES: LayerCase[] = [
  { name: 'dense 3x3', c1: 8, c2: 16, k: 3, batch: 3, h: 9, w: 9 },
  { name: 'depthwise experts (g = c1)', c1: 8, c2: 8, k: 3, g: 8, batch: 3, h: 9, w: 10 },
  { name: 'depthwise experts, multiplier 2', c1: 6, c2: 12, k: 3, g: 6, batch: 3, h: 8, w: 7 },
  { name: 'groups 2', c1: 8, c2: 12, k: 3, g: 2, batch: 3, h: 7, w: 9 },
  { name: 'groups 8 of 2 channels', c1: 16, c2: 16, k: 3, g: 8, batch: 2, h: 7, w: 7 },
  { name: 'k=1', c1: 6, c2: 10, k: 1, batch: 3, h: 6, w: 5 },
  { name: 'k=1 stride 2, odd size', c1: 6, c2: 10, k: 1, s: 2, batch: 3, h: 9, w: 7 },
  { name: 'k=5 stride 2, odd size', c1: 5, c2: 7, k: 5, s: 2, batch: 3, h: 11, w: 13 },
  { name: '8 experts', c1: 8, c2: 8, k: 3, experts: 8, batch: 4, h: 8, w: 8 },
  { name: 'dilation 2 with stride 2', c1: 4, c2: 6, k: 3, s: 2, d: 2, batch: 2, h: 11, w: 10 },
  { name: 'per-expert bias, padding 0', c1: 4, c2: 6, k: 3, p: 0, bias: true, batch: 3, h: 7, w: 7 },
  { name: 'batch 1', c1: 8, c2: 16, k: 3, s: 2, batch: 1, h: 9, w: 9 },
];

/** Small deterministic PRNG (mulberry32) returning uniform floats in [lo, hi). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let a = seed >>> 0;
  return (lo = -1, hi = 1) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

/** Random values of a given length. */
export function randomArray(n: number, r: (lo?: number, hi?: number) => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => r(lo, hi));
}

/** Builds the layer with random weights (set through loadStateDict, PyTorch layout) and its JS reference. */
export function makeLayer(c: LayerCase, seed = 1): { layer: DynamicConv2d; ref: ReferenceLayer; input: Float32Array; inputShape: number[] } {
  const r = rng(seed);
  const E = c.experts ?? 4;
  const g = c.g ?? 1;
  const s = c.s ?? 1;
  const d = c.d ?? 1;
  const layer = new DynamicConv2d(c.c1, c.c2, c.k, s, c.p ?? null, d, g, c.bias ?? false, E);
  const per = c.c2 * (c.c1 / g) * c.k * c.k;
  const ref: ReferenceLayer = {
    cin: c.c1,
    cout: c.c2,
    k: c.k,
    stride: s,
    padding: c.p ?? Math.floor((s - 1 + d * (c.k - 1)) / 2),
    dilation: d,
    groups: g,
    experts: E,
    routingWeight: randomArray(E * c.c1, r, -2, 2),
    routingBias: randomArray(E, r),
    weight: randomArray(E * per, r, -0.5, 0.5),
    bias: c.bias ? randomArray(E * c.c2, r) : null,
  };
  const sd = new Map<string, tf.Tensor>([
    ['routing.weight', tf.tensor2d(ref.routingWeight, [E, c.c1])],
    ['routing.bias', tf.tensor1d(ref.routingBias)],
    ['cond_conv.weight', tf.tensor2d(ref.weight, [E, per])],
  ]);
  if (ref.bias) sd.set('cond_conv.bias', tf.tensor2d(ref.bias, [E, c.c2]));
  layer.loadStateDict(sd);
  for (const t of sd.values()) t.dispose();
  const inputShape = [c.batch, c.c1, c.h, c.w];
  // per-sample offsets so every sample routes differently
  const input = Float32Array.from({ length: inputShape.reduce((a, b) => a * b, 1) }, (_, i) => r() + Math.floor(i / (c.c1 * c.h * c.w)) * 0.7 - 0.5);
  return { layer, ref, input, inputShape };
}
