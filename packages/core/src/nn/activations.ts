import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { releaseIntermediate } from '../ops/release.js';

/** x * sigmoid(x) (PyTorch's nn.SiLU). */
export class SiLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    const s = tf.sigmoid(x);
    const y = tf.mul(x, s);
    releaseIntermediate(s, y);
    return y;
  }
}

/** max(x, 0). */
export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/** PyTorch's hard-sigmoid: relu6(x + 3) / 6 (not tfjs-layers' 0.2x + 0.5). */
export function hardSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.div(tf.relu6(tf.add(x, 3)), 6);
}

/** PyTorch's hard-swish: x * relu6(x + 3) / 6. */
export function hardSwish(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, hardSigmoid(x));
}

/** nn.Hardsigmoid. */
export class Hardsigmoid extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return hardSigmoid(x);
  }
}

/** nn.Hardswish. */
export class Hardswish extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return hardSwish(x);
  }
}

/** sigmoid(x). */
export class Sigmoid extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
}

/** Activation modules by their PyTorch spelling (for YAML `activation:` and module args). */
export const ACTIVATIONS: Record<string, () => Module> = {
  'nn.SiLU()': () => new SiLU(),
  'nn.ReLU()': () => new ReLU(),
  'nn.Hardswish()': () => new Hardswish(),
  'nn.Hardsigmoid()': () => new Hardsigmoid(),
  'nn.Sigmoid()': () => new Sigmoid(),
};
