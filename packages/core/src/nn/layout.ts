import * as tf from '@tensorflow/tfjs-core';

/**
 * How a tensor stored inside plugconv (NHWC-friendly) maps to PyTorch's layout.
 * `toTorch` and `fromTorch` are exact inverses; `torchShape` gives the PyTorch shape of an internal shape.
 */
export interface Layout {
  /** Name for messages (`conv`, `depthwise(32)`, ...). */
  readonly name: string;
  /** Internal (tfjs) layout to PyTorch layout (a new tensor). */
  toTorch(t: tf.Tensor): tf.Tensor;
  /** PyTorch layout to the internal layout (a new tensor). */
  fromTorch(t: tf.Tensor): tf.Tensor;
  /** The PyTorch shape of a tensor with this internal shape. */
  torchShape(internal: readonly number[]): number[];
}

/** Same layout in both worlds (biases, BN vectors, CondConv's flattened expert weights). */
export const plainLayout: Layout = {
  name: 'plain',
  toTorch: (t) => t.clone(),
  fromTorch: (t) => t.clone(),
  torchShape: (s) => [...s],
};

/** Convolution kernel: PyTorch (O, I/g, kh, kw) <-> tfjs (kh, kw, I/g, O). */
export const convLayout: Layout = {
  name: 'conv',
  toTorch: (t) => tf.transpose(t, [3, 2, 0, 1]),
  fromTorch: (t) => tf.transpose(t, [2, 3, 1, 0]),
  torchShape: ([kh, kw, i, o]) => [o!, i!, kh!, kw!],
};

/** Depthwise kernel for C channels: PyTorch (C*m, 1, kh, kw) <-> tfjs depthwise (kh, kw, C, m). */
export function depthwiseLayoutFor(channels: number): Layout {
  return {
    name: 'depthwise',
    toTorch: (t) => {
      const [kh, kw, c, m] = t.shape as number[];
      return tf.tidy(() => tf.reshape(tf.transpose(t, [2, 3, 0, 1]), [c! * m!, 1, kh!, kw!]));
    },
    torchShape: ([kh, kw, c, m]) => [c! * m!, 1, kh!, kw!],
    fromTorch: (t) => {
      const [cm, one, kh, kw] = t.shape as number[];
      if (one !== 1 || cm! % channels !== 0) {
        throw new Error(`depthwise kernel of shape [${t.shape}] does not fit ${channels} channels`);
      }
      return tf.tidy(() => tf.transpose(tf.reshape(t, [channels, cm! / channels, kh!, kw!]), [2, 3, 0, 1]));
    },
  };
}

/**
 * Grouped kernel stored for the "depthwise multiplier then sum" strategy: PyTorch (O, I/g, kh, kw) <->
 * (kh, kw, I, O/g), where input channel c = gi*(I/g)+j feeds the O/g outputs of its group.
 */
export function groupedSumLayoutFor(cin: number, cout: number, groups: number): Layout {
  const ipg = cin / groups;
  const opg = cout / groups;
  return {
    name: 'grouped-sum',
    // (kh,kw,I,O/g) = (kh,kw,g,ipg,opg) -> (g,opg,ipg,kh,kw) = (O, I/g, kh, kw)
    toTorch: (t) =>
      tf.tidy(() => {
        const [kh, kw] = t.shape as number[];
        return tf.reshape(tf.transpose(tf.reshape(t, [kh!, kw!, groups, ipg, opg]), [2, 4, 3, 0, 1]), [cout, ipg, kh!, kw!]);
      }),
    fromTorch: (t) =>
      tf.tidy(() => {
        const [, , kh, kw] = t.shape as number[];
        return tf.reshape(tf.transpose(tf.reshape(t, [groups, opg, ipg, kh!, kw!]), [3, 4, 0, 2, 1]), [kh!, kw!, cin, opg]);
      }),
    torchShape: ([kh, kw]) => [cout, ipg, kh!, kw!],
  };
}

/** Linear weight: PyTorch (out, in) <-> tfjs matmul (in, out). */
export const linearLayout: Layout = {
  name: 'linear',
  toTorch: (t) => tf.transpose(t),
  fromTorch: (t) => tf.transpose(t),
  torchShape: ([i, o]) => [o!, i!],
};
