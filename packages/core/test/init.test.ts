import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, kaimingUniform, withoutRandomInit } from '../src/index.js';

/** Largest |value| and count of distinct values of a tensor. */
async function spread(t: tf.Tensor): Promise<{ max: number; distinct: number }> {
  const v = Array.from(await t.data());
  return { max: Math.max(...v.map(Math.abs)), distinct: new Set(v).size };
}

describe('withoutRandomInit', () => {
  it("builds with zeros inside the scope and PyTorch's kaiming-uniform bounds outside it, also after a throw", async () => {
    const zero = withoutRandomInit(() => new Conv2d(8, 16, 3));
    expect(await spread(zero.weight)).toEqual({ max: 0, distinct: 1 });
    expect(() =>
      withoutRandomInit(() => {
        throw new Error('build failed');
      }),
    ).toThrow('build failed');
    const random = new Conv2d(8, 16, 3);
    const { max, distinct } = await spread(random.weight);
    // U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = 8*3*3 = 72
    expect(max).toBeGreaterThan(0.1);
    expect(max).toBeLessThanOrEqual(1 / Math.sqrt(72));
    expect(distinct).toBeGreaterThan(1000);
    // nested scopes: zeros until the outermost one ends
    const inner = withoutRandomInit(() => withoutRandomInit(() => kaimingUniform([4, 4], 4)));
    expect(await spread(inner)).toEqual({ max: 0, distinct: 1 });
    tf.dispose([inner]);
    zero.dispose();
    random.dispose();
  });
});
