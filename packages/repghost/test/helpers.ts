import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { BatchNorm2d, buildModel, Conv2d, coreModules, Registry, type DetectionModel, type Module } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { modules } from '../src/index.js';

/** Path of a file in packages/repghost/fixtures. */
export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Path of a config shipped in packages/yolo/configs. */
export const configPath = (name: string) => fileURLToPath(new URL(`../../yolo/configs/${name}`, import.meta.url));

/** Core's blocks and this package's modules. */
export const registry = new Registry(coreModules, modules);

/** Builds a fixture's module from its json meta (module name and constructor args). */
export const byMeta = (meta: Record<string, unknown>) => registry.get(meta.module as string)!.create(...(meta.args as unknown[]));

/** Builds a config at a scale with this package's registry. */
export function modelFrom(path: string, scale: string): DetectionModel {
  return buildModel(loadYoloConfig(path), { registry, scale, ultralytics: '8.2' });
}

/**
 * Gives every trainable Conv2d weight normal values of std 1/sqrt(fan_in) (biases std 0.1; all seeded) (as shared/fixtures' models have), so signals
 * keep their scale through the network (PyTorch's default uniform init shrinks them by sqrt(3) per layer).
 */
export function randomizeConvWeights(model: Module<any, any>, seed = 1): void {
  let s = seed;
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof Conv2d) || m.weight.trainable === false) continue;
    const fanIn = (m.cin / m.geometry.groups) * m.k * m.k;
    tf.tidy(() => {
      m.weight.assign(tf.randomNormal(m.weight.shape, 0, 1 / Math.sqrt(fanIn), 'float32', s++));
      m.bias?.assign(tf.randomNormal(m.bias.shape, 0, 0.1, 'float32', s++));
    });
  }
}

/**
 * Gives every BatchNorm random affine parameters and running statistics (deterministic), so no branch of a
 * re-parameterisation hides behind an identity BN. Only BNs whose state-key prefix passes `select` change.
 */
export function randomizeBatchNorms(model: Module<any, any>, seed = 1, select: (name: string) => boolean = () => true): void {
  let s = seed;
  for (const [name, m] of model.namedModules()) {
    if (!(m instanceof BatchNorm2d) || !select(name)) continue;
    const c = m.channels;
    tf.tidy(() => {
      m.weight.assign(tf.randomUniform([c], 0.5, 1.5, 'float32', s++));
      m.bias.assign(tf.randomNormal([c], 0, 0.2, 'float32', s++));
      m.runningMean.assign(tf.randomNormal([c], 0, 0.2, 'float32', s++));
      m.runningVar.assign(tf.randomUniform([c], 0.5, 1.5, 'float32', s++));
    });
  }
}

/**
 * Sets BatchNorm running statistics to the batch statistics of their input for `x` (one train-mode forward
 * with momentum 1, as shared/fixtures' README does), so eval activations keep a sane scale and no sigmoid
 * saturates. Only the BNs whose state-key prefix passes `select` change (the others get momentum 0 for that
 * pass). Keeps the affine parameters (call after {@link randomizeBatchNorms}).
 */
export function calibrateBatchNorms(model: Module<tf.Tensor, unknown>, x: tf.Tensor, select: (name: string) => boolean = () => true): void {
  const bns = model.namedModules().flatMap(([name, m]) => (m instanceof BatchNorm2d ? [[name, m] as const] : []));
  const momentum = bns.map(([, b]) => b.momentum);
  for (const [name, b] of bns) (b as { momentum: number }).momentum = select(name) ? 1 : 0;
  model.train();
  tf.tidy(() => void model.forward(x));
  bns.forEach(([, b], i) => ((b as { momentum: number }).momentum = momentum[i]!));
  model.eval();
}

/**
 * Rescales the Detect head's last class and box convs so their logits have zero mean and unit variance for
 * `x` (as shared/fixtures does), so no class sigmoid saturates and a comparison sees every output.
 */
export function normalizeHeadLogits(model: DetectionModel, x: tf.Tensor): void {
  const head = model.head;
  if (!head) throw new Error('normalizeHeadLogits: the model has no Detect head');
  const convs = [...head.cv2.items, ...head.cv3.items].map((s) => s.layers[2] as Conv2d);
  const seen: { mean: number; std: number }[] = [];
  const originals = convs.map((c) => c.forward.bind(c));
  convs.forEach((c, i) => {
    c.forward = (t: tf.Tensor) => {
      const y = originals[i]!(t);
      const { mean, variance } = tf.moments(y);
      seen[i] = { mean: mean.dataSync()[0]!, std: Math.sqrt(variance.dataSync()[0]!) || 1 };
      return y;
    };
  });
  tf.dispose(model.predict(x));
  convs.forEach((c, i) => {
    delete (c as { forward?: unknown }).forward;
    const { mean, std } = seen[i]!;
    tf.tidy(() => {
      c.weight.assign(tf.div(c.weight, std));
      c.bias!.assign(tf.div(tf.sub(c.bias!, mean), std));
    });
  });
}

/** Runs `module` in eval mode on NHWC `x` and returns the output's values (the tensors are freed). */
export function evalValues(module: Module<tf.Tensor, tf.Tensor>, x: tf.Tensor): { shape: number[]; values: Float32Array } {
  module.eval();
  const y = tf.tidy(() => module.forward(x));
  const out = { shape: y.shape, values: y.dataSync() as Float32Array };
  y.dispose();
  return out;
}

/** Largest |a - b| / (1e-4 + 1e-3 |b|) (DESIGN.md's check: <= 1 passes) and the largest |a - b|. */
export function worstRatio(a: Float32Array, b: Float32Array): { ratio: number; maxAbs: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let ratio = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= Infinity)) return { ratio: Infinity, maxAbs: Infinity };
    maxAbs = Math.max(maxAbs, d);
    ratio = Math.max(ratio, d / (1e-4 + 1e-3 * Math.abs(b[i]!)));
  }
  return { ratio, maxAbs };
}
