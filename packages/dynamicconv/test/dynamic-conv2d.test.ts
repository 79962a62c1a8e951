import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@plugconv/core';
import { DYNAMIC_CONV_STRATEGIES, strategyUnsupported, type DynamicConv2d, type DynamicConvStrategy } from '../src/index.js';
import { worstRatio } from '@plugconv/test-harness/node';
import { referenceForward, type ReferenceLayer } from './reference.js';
import { LAYER_CASES, makeLayer, rng, type LayerCase } from './layer-cases.js';

/** Runs the layer on an NCHW input with a strategy; returns the NCHW output data and shape. */
function run(layer: DynamicConv2d, input: Float32Array, shape: number[], strategy: DynamicConvStrategy | 'auto'): { y: Float32Array; shape: number[] } {
  layer.strategy = strategy;
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(input, shape as [number, number, number, number]), [0, 2, 3, 1]);
    const y = tf.transpose(layer.forward(x), [0, 3, 1, 2]);
    return { y: y.dataSync() as Float32Array, shape: y.shape };
  });
}

const strategiesFor = (c: LayerCase, ref: ReferenceLayer) =>
  [...DYNAMIC_CONV_STRATEGIES.filter((s) => !strategyUnsupported(s, { cin: c.c1, cout: c.c2, k: c.k, experts: ref.experts, geometry: { stride: ref.stride, padding: ref.padding, dilation: ref.dilation, groups: ref.groups } })), 'auto' as const];

describe.each(['cpu', 'wasm'] as const)('DynamicConv2d against a plain JavaScript reference on %s', (backend) => {
  it.each(LAYER_CASES.map((c) => [c.name, c] as const))('%s: every strategy', async (_, c) => {
    await useBackend(backend);
    const { layer, ref, input, inputShape } = makeLayer(c);
    const expected = referenceForward(ref, input, inputShape);
    const strategies = strategiesFor(c, ref);
    if (c.k === 1 && (c.g ?? 1) === 1) expect(strategies).toContain('batched-matmul');
    for (const s of strategies) {
      const got = run(layer, input, inputShape, s);
      expect(got.shape, s).toEqual(expected.shape);
      expect(worstRatio(got.y, expected.y).ratio, `${c.name} / ${s}`).toBeLessThanOrEqual(1);
    }
    layer.dispose();
  });
});

describe('DynamicConv2d gradients (cpu) against float64 central differences of the reference', () => {
  const gradCases = LAYER_CASES.filter((c) => ['dense 3x3', 'depthwise experts (g = c1)', 'groups 2', 'k=1 stride 2, odd size', 'k=5 stride 2, odd size', '8 experts', 'per-expert bias, padding 0'].includes(c.name));
  it.each(gradCases.map((c) => [c.name, c] as const))('%s: routing and every expert get the right gradient, every strategy', async (_, c) => {
    await useBackend('cpu');
    const { layer, ref, input, inputShape } = makeLayer(c, 7);
    const out = referenceForward(ref, input, inputShape);
    const r = rng(99);
    const probe = Float32Array.from({ length: out.y.length }, () => r());
    const loss = (L: ReferenceLayer) => referenceForward(L, input, inputShape).y.reduce((a, v, i) => a + v * probe[i]!, 0);
    const params: [string, keyof ReferenceLayer][] = [
      ['routing.weight', 'routingWeight'],
      ['routing.bias', 'routingBias'],
      ['cond_conv.weight', 'weight'],
    ];
    if (ref.bias) params.push(['cond_conv.bias', 'bias']);
    const named = new Map(layer.namedParameters());
    const x = tf.transpose(tf.tensor4d(input, inputShape as [number, number, number, number]), [0, 2, 3, 1]);
    const probeT = tf.tensor4d(probe, out.shape as [number, number, number, number]);
    for (const strategy of strategiesFor(c, ref)) {
      layer.strategy = strategy;
      const vars = params.map(([k]) => named.get(k)!);
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(tf.transpose(layer.forward(x), [0, 3, 1, 2]), probeT)) as tf.Scalar, vars);
      expect(value.dataSync()[0]).toBeCloseTo(loss(ref), 2);
      for (const [key, field] of params) {
        // gradients in PyTorch layout (the routing Linear is stored transposed inside)
        const raw = grads[named.get(key)!.name]!;
        const g = (key === 'routing.weight' ? tf.tidy(() => tf.transpose(raw)) : raw.clone()).dataSync();
        const base = ref[field] as Float32Array;
        // every expert row of cond_conv.weight (and every routing output) receives a non-zero gradient
        const rows = ref.experts;
        const per = g.length / rows;
        for (let e = 0; e < rows; e++) {
          let norm = 0;
          for (let i = 0; i < per; i++) norm += g[e * per + i]! ** 2;
          expect(norm, `${strategy}: ${key} row ${e}`).toBeGreaterThan(0);
        }
        // central differences at a sample of entries (each expert row included)
        const scale = Math.max(...Array.from(g, Math.abs));
        const picks = new Set<number>();
        for (let e = 0; e < rows; e++) picks.add(e * per + Math.floor(r(0, per)));
        while (picks.size < Math.min(g.length, rows + 6)) picks.add(Math.floor(r(0, g.length)));
        for (const i of picks) {
          const h = 1e-3;
          const plus = Float32Array.from(base);
          const minus = Float32Array.from(base);
          plus[i] = base[i]! + h;
          minus[i] = base[i]! - h;
          const fd = (loss({ ...ref, [field]: plus }) - loss({ ...ref, [field]: minus })) / (2 * h);
          expect(Math.abs(g[i]! - fd), `${strategy}: ${key}[${i}] ${g[i]} vs ${fd}`).toBeLessThan(2e-3 * scale + 1e-3 * Math.abs(fd));
        }
      }
      for (const t of Object.values(grads)) t.dispose();
      value.dispose();
    }
    tf.dispose([x, probeT]);
    layer.dispose();
  });
});
