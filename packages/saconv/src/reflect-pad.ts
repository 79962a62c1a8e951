import * as tf from '@tensorflow/tfjs-core';

/** Reflect-pads one spatial axis (1 = rows, 2 = columns of NHWC) by `p` on both sides, edge not repeated. */
function reflectAxis(x: tf.Tensor4D, axis: 1 | 2, p: number): tf.Tensor4D {
  const n = x.shape[axis];
  // fresh begin/size arrays per slice: tfjs keeps them as the op's attributes and reads them again for the gradient
  const edge = (start: number) => {
    const begin = [0, 0, 0, 0];
    const size = [...x.shape];
    begin[axis] = start;
    size[axis] = p;
    return tf.reverse(tf.slice(x, begin, size), axis);
  };
  return tf.concat([edge(1), x, edge(n - 1 - p)], axis) as tf.Tensor4D;
}

/**
 * PyTorch's F.pad(x, (p, p, p, p), mode='reflect') on NHWC: row -i is row i, row H-1+i is row H-1-i. Built
 * from slice, reverse and concat so its gradient is exact: tfjs's own MirrorPad gradient (4.22) only slices the
 * centre of dy and drops what the reflected border contributes. Needs p < H and p < W (as PyTorch);
 * `layer` names the caller in the error.
 */
export function reflectPad2d(x: tf.Tensor4D, p: number, layer = 'reflectPad2d'): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (p < 0 || !Number.isInteger(p)) throw new Error(`${layer}: reflect padding must be a non-negative integer, got ${p}`);
  if (p === 0) return x;
  if (h <= p || w <= p) {
    throw new Error(`${layer}: a ${h}x${w} feature map is too small for reflect padding ${p} (needs height and width of at least ${p + 1})`);
  }
  return tf.tidy(() => reflectAxis(reflectAxis(x, 1, p), 2, p));
}
