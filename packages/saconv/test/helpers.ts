import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, coreModules, Registry, type DetectionModel, type Module } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { modules } from '../src/index.js';

/** Path of a file in packages/saconv/fixtures. */
export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Path of a config shipped in packages/yolo/configs (the ones this package's issue adds). */
export const shippedConfig = (name: string) => fileURLToPath(new URL(`../../yolo/configs/${name}`, import.meta.url));

/** Core's blocks plus this package's modules. */
export const registry = new Registry(coreModules, modules);

/** Builds a fixture's module from its json (`module`, `args`). */
export const byMeta = (meta: Record<string, unknown>) => registry.get(meta.module as string)!.create(...(meta.args as unknown[])) as Module;

/** A shipped config at a scale, built with core's blocks and this package's modules. */
export function shippedModel(name: string, scale: string): DetectionModel {
  return buildModel(loadYoloConfig(shippedConfig(name)), { registry, scale, ultralytics: '8.2' });
}

/** Deterministic values in [-a, a) (a small LCG, so tests do not depend on tfjs's random streams). */
export function seeded(shape: number[], seed: number, a = 1): tf.Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((x, y) => x * y, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = ((s / 2 ** 32) * 2 - 1) * a;
  }
  return tf.tensor(v, shape);
}

/** Gives every parameter and buffer of `m` seeded random values (BN variances positive), so no branch hides behind a zero init. */
export function randomizeState(m: Module<any, any>, seed = 1): void {
  let i = 0;
  for (const [key, slot] of m.namedSlots()) {
    const v = slot.variable;
    const r = seeded(v.shape, seed * 7919 + i++, 0.5);
    const value = key.endsWith('running_var') || key.endsWith('weight_gamma') || key.endsWith('bn.weight') ? tf.add(tf.abs(r), 0.5) : r;
    v.assign(value);
    r.dispose();
    if (value !== r) value.dispose();
  }
}

/** Max |a - b|. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
