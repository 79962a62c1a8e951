import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { CONCAT_CHANNELS_KERNEL, concatChannels, SPLIT_CHANNELS_KERNEL, splitChannels, useBackend } from '../src/index.js';

/** An NHWC tensor whose every element is distinct: value = offset + flat index. */
function arange(shape: [number, number, number, number], offset: number): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, (_, i) => offset + i), shape);
}

/** torch.cat(xs, 1) written out on NHWC data: pixel by pixel, each input's channels in turn. */
function expectedConcat(parts: { data: Float32Array; c: number }[], pixels: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < pixels; p++) for (const { data, c } of parts) for (let k = 0; k < c; k++) out.push(data[p * c + k]!);
  return out;
}

/** The kernels a call ran (tf.profile), by name. */
async function kernelsOf(f: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(() => f());
  return info.kernels.map((k) => k.name);
}

describe.each(['wasm', 'cpu'] as const)('channel concat and split on %s', (backend) => {
  afterAll(() => useBackend('wasm'));

  it('concatChannels equals torch.cat(xs, 1) element for element (batch 2, three inputs, odd channel counts)', async () => {
    await useBackend(backend);
    const shapes: [number, number, number, number][] = [
      [2, 3, 5, 7],
      [2, 3, 5, 1],
      [2, 3, 5, 16],
    ];
    const xs = shapes.map((s, i) => arange(s, 1000 * i));
    const before = tf.memory().numTensors;
    const y = concatChannels(xs);
    expect(y.shape).toEqual([2, 3, 5, 24]);
    const parts = await Promise.all(xs.map(async (x) => ({ data: (await x.data()) as Float32Array, c: x.shape[3]! })));
    expect(Array.from(await y.data())).toEqual(expectedConcat(parts, 30));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
  });

  it('splitChannels equals torch.split(x, sizes, 1), and concat of the pieces gives x back', async () => {
    await useBackend(backend);
    const x = arange([1, 4, 6, 13], 0.5);
    const before = tf.memory().numTensors;
    const pieces = splitChannels(x, [3, 8, 2]);
    expect(pieces.map((p) => p.shape)).toEqual([
      [1, 4, 6, 3],
      [1, 4, 6, 8],
      [1, 4, 6, 2],
    ]);
    const xv = (await x.data()) as Float32Array;
    let c0 = 0;
    for (const p of pieces) {
      const c = p.shape[3]!;
      const want: number[] = [];
      for (let q = 0; q < 24; q++) for (let k = 0; k < c; k++) want.push(xv[q * 13 + c0 + k]!);
      expect(Array.from(await p.data())).toEqual(want);
      c0 += c;
    }
    const back = concatChannels(pieces);
    expect(Array.from(await back.data())).toEqual(Array.from(xv));
    tf.dispose([...pieces, back]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it(`runs ${backend === 'wasm' ? "plugconv's heap-copy kernels" : "tfjs' own Concat and SplitV"}`, async () => {
    await useBackend(backend);
    const a = arange([1, 2, 2, 3], 0);
    const b = arange([1, 2, 2, 5], 100);
    const names = await kernelsOf(() => [concatChannels([a, b]), ...splitChannels(b, [2, 3])]);
    if (backend === 'wasm') expect(names).toEqual([CONCAT_CHANNELS_KERNEL, SPLIT_CHANNELS_KERNEL]);
    else expect(names).toEqual(['Concat', 'SplitV']);
    tf.dispose([a, b]);
  });

  it('gradients: a concat routes each slice of dy to its input, a split joins them back', async () => {
    await useBackend(backend);
    const a = arange([1, 2, 3, 2], 0);
    const b = arange([1, 2, 3, 3], 50);
    const w = arange([1, 2, 3, 5], -7);
    // d/da sum(w * cat(a, b)) = w's first 2 channels, d/db = its last 3
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(w, concatChannels([p, q]))))([a, b]);
    const [wa, wb] = tf.split(w, [2, 3], 3);
    expect(Array.from(await ga!.data())).toEqual(Array.from(await wa!.data()));
    expect(Array.from(await gb!.data())).toEqual(Array.from(await wb!.data()));
    // d/dx sum(piece0 * 2) + sum(piece1 * 3) = 2 on the first 2 channels, 3 on the others
    const g = tf.grad((x: tf.Tensor) => {
      const [p0, p1] = splitChannels(x, [2, 3]);
      return tf.add(tf.sum(tf.mul(p0!, 2)), tf.sum(tf.mul(p1!, 3)));
    })(w);
    expect(Array.from(await g.data())).toEqual(Array.from({ length: 30 }, (_, i) => (i % 5 < 2 ? 2 : 3)));
    tf.dispose([a, b, w, ga!, gb!, wa!, wb!, g]);
  });

  it('refuses shapes that differ outside the channel axis and sizes that do not sum to the channels', async () => {
    await useBackend(backend);
    const a = tf.zeros([1, 2, 3, 4]);
    const b = tf.zeros([1, 2, 4, 4]);
    expect(() => concatChannels([a, b])).toThrow('concatChannels: shapes [1,2,3,4], [1,2,4,4] do not match outside the channel axis (NHWC: batch, height and width must be equal)');
    expect(() => splitChannels(a, [1, 2])).toThrow('splitChannels: sizes [1,2] do not cut the channels of [1,2,3,4] (an NHWC tensor)');
    tf.dispose([a, b]);
  });
});
