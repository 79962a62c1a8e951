import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './nn/module.js';
import { TOLERANCE } from './backend.js';

/** PyTorch NCHW -> internal NHWC (other ranks pass through). */
export function fromTorchLayout(t: tf.Tensor): tf.Tensor {
  return t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t.clone();
}

/** Internal NHWC -> PyTorch NCHW (other ranks pass through). */
export function toTorchLayout(t: tf.Tensor): tf.Tensor {
  return t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t.clone();
}

/** A reference fixture: `input`, `output` (PyTorch layout) and the module's state dict (`state.` removed). */
export interface Fixture {
  /** The input, NCHW as PyTorch saved it. */
  input: tf.Tensor;
  /** PyTorch's eval-mode output, NCHW. */
  output: tf.Tensor;
  /** The module's state dict in PyTorch layout (keys without the `state.` prefix). */
  state: Map<string, tf.Tensor>;
}

/** Splits a fixture's tensors; errors name what is missing. */
export function splitFixture(tensors: Map<string, tf.Tensor>, source = 'fixture'): Fixture {
  const input = tensors.get('input');
  const output = tensors.get('output');
  if (!input || !output) throw new Error(`${source}: a fixture needs 'input' and 'output' tensors`);
  const state = new Map<string, tf.Tensor>();
  for (const [k, v] of tensors) if (k.startsWith('state.')) state.set(k.slice(6), v);
  return { input, output, state };
}

/** Result of comparing an output with its reference by DESIGN.md's tolerance. */
export interface Comparison {
  /** Whether every element is within tolerance. */
  pass: boolean;
  /** Largest |y - ref|. */
  maxAbsError: number;
  /** Largest |y - ref| / (atol + rtol*|ref|); <= 1 passes. */
  worstRatio: number;
  /** Number of elements compared. */
  elements: number;
}

function checkShapes(y: tf.Tensor, ref: tf.Tensor): void {
  if (y.shape.length !== ref.shape.length || y.shape.some((d, i) => d !== ref.shape[i])) {
    throw new Error(`output shape [${y.shape}] differs from the reference [${ref.shape}]`);
  }
}

/** Elementwise |y - ref| <= atol + rtol*|ref| (default: DESIGN.md's 1e-4 + 1e-3*|ref|). Reads synchronously. */
export function compareOutputs(y: tf.Tensor, ref: tf.Tensor, tol = TOLERANCE.cpu): Comparison {
  checkShapes(y, ref);
  return compareArrays(y.dataSync(), ref.dataSync(), tol);
}

/** {@link compareOutputs} reading the data asynchronously (required on WebGPU, cheaper on WebGL). */
export async function compareOutputsAsync(y: tf.Tensor, ref: tf.Tensor, tol = TOLERANCE.cpu): Promise<Comparison> {
  checkShapes(y, ref);
  return compareArrays(await y.data(), await ref.data(), tol);
}

/** The comparison itself, on flat arrays. */
export function compareArrays(a: ArrayLike<number>, b: ArrayLike<number>, tol = TOLERANCE.cpu): Comparison {
  let maxAbs = 0;
  let worst = 0;
  let nonFinite = false;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!Number.isFinite(d)) nonFinite = true;
    if (d > maxAbs) maxAbs = d;
    const r = d / (tol.atol + tol.rtol * Math.abs(b[i]!));
    if (r > worst) worst = r;
  }
  return { pass: !nonFinite && worst <= 1, maxAbsError: nonFinite ? Infinity : maxAbs, worstRatio: worst, elements: a.length };
}

/**
 * Loads a fixture's state into `module`, runs its input in eval mode and compares with the reference output.
 * Inputs and outputs are in PyTorch layout at the boundary.
 */
export function checkModule(module: Module<tf.Tensor, any>, fixture: Fixture, tol = TOLERANCE.cpu): Comparison {
  module.loadStateDict(fixture.state);
  return runFixture(module, fixture, tol);
}

/** Runs a fixture's input through `module` as it is (eval mode) and compares with the fixture's output. */
export function runFixture(module: Module<tf.Tensor, any>, fixture: Pick<Fixture, 'input' | 'output'>, tol = TOLERANCE.cpu): Comparison {
  const y = forwardTorchLayout(module, fixture.input);
  try {
    return compareOutputs(y, fixture.output, tol);
  } finally {
    y.dispose();
  }
}

/** {@link runFixture} reading results asynchronously (every backend, WebGPU included). */
export async function runFixtureAsync(module: Module<tf.Tensor, any>, fixture: Pick<Fixture, 'input' | 'output'>, tol = TOLERANCE.cpu): Promise<Comparison> {
  const y = forwardTorchLayout(module, fixture.input);
  try {
    return await compareOutputsAsync(y, fixture.output, tol);
  } finally {
    y.dispose();
  }
}

/** Eval forward of a PyTorch-layout input, returning a PyTorch-layout output. */
function forwardTorchLayout(module: Module<tf.Tensor, any>, input: tf.Tensor): tf.Tensor {
  module.eval();
  return tf.tidy(() => toTorchLayout(module.forward(fromTorchLayout(input)) as tf.Tensor));
}
