import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './nn/module.js';
import { TOLERANCE } from './backend.js';
import { ErrorTally, tallyComparison, type Comparison, type Tolerance } from './parity-tally.js';
import { detectionOutputs, compareDetectionOutputs, isDetector, type DetectionOutputs } from './detection-parity.js';

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
  /** PyTorch's eval-mode output, NCHW (end2end detectors: the top-k (B, k, 6)). */
  output: tf.Tensor;
  /** End2end detectors: the decoded one-to-one predictions (B, 4 + nc, anchors) before the top-k. */
  outputRaw?: tf.Tensor;
  /** The module's state dict in PyTorch layout (keys without the `state.` prefix). */
  state: Map<string, tf.Tensor>;
}

/** Splits a fixture's tensors (`input`, `output`, optional `output_raw`, `state.*`); errors name what is missing. */
export function splitFixture(tensors: Map<string, tf.Tensor>, source = 'fixture'): Fixture {
  const input = tensors.get('input');
  const output = tensors.get('output');
  if (!input || !output) throw new Error(`${source}: a fixture needs 'input' and 'output' tensors`);
  const state = new Map<string, tf.Tensor>();
  for (const [k, v] of tensors) if (k.startsWith('state.')) state.set(k.slice(6), v);
  const outputRaw = tensors.get('output_raw');
  return outputRaw ? { input, output, outputRaw, state } : { input, output, state };
}

function checkShapes(y: tf.Tensor, ref: tf.Tensor, what = 'output'): void {
  if (y.shape.length !== ref.shape.length || y.shape.some((d, i) => d !== ref.shape[i])) {
    throw new Error(`${what} shape [${y.shape}] differs from the reference [${ref.shape}]`);
  }
}

/** Elementwise |y - ref| <= atol + rtol*|ref| (default 1e-4 + 1e-3*|ref|). Reads synchronously. */
export function compareOutputs(y: tf.Tensor, ref: tf.Tensor, tol: Tolerance = TOLERANCE.cpu): Comparison {
  checkShapes(y, ref);
  return compareArrays(y.dataSync(), ref.dataSync(), tol, ref.shape);
}

/** {@link compareOutputs} reading the data asynchronously (required on WebGPU, cheaper on WebGL). */
export async function compareOutputsAsync(y: tf.Tensor, ref: tf.Tensor, tol: Tolerance = TOLERANCE.cpu): Promise<Comparison> {
  checkShapes(y, ref);
  return compareArrays(await y.data(), await ref.data(), tol, ref.shape);
}

/** The elementwise comparison itself, on flat arrays (`shape` locates the worst element; default flat). */
export function compareArrays(a: ArrayLike<number>, b: ArrayLike<number>, tol: Tolerance = TOLERANCE.cpu, shape: readonly number[] = [a.length], what = 'output'): Comparison {
  const t = new ErrorTally(tol);
  for (let i = 0; i < a.length; i++) t.add(a[i]!, b[i]!, i);
  return tallyComparison(t, shape, a.length, what);
}

/**
 * Loads a fixture's state into `module`, runs its input in eval mode and compares with the reference output.
 * Inputs and outputs are in PyTorch layout at the boundary.
 */
export function checkModule(module: Module<tf.Tensor, any>, fixture: Fixture, tol: Tolerance = TOLERANCE.cpu): Comparison {
  module.loadStateDict(fixture.state);
  return runFixture(module, fixture, tol);
}

/** The fixture's reference tensors for a detector's outputs, checked for shape. */
function detectionReferences(out: DetectionOutputs, fixture: Pick<Fixture, 'output' | 'outputRaw'>): void {
  checkShapes(out.output, fixture.output);
  if (out.raw && fixture.outputRaw) checkShapes(out.raw, fixture.outputRaw, 'output_raw');
}

/**
 * Runs a fixture's input through `module` as it is (eval mode) and compares with the fixture's output.
 * Detection models are compared by the detection rule (boxes in grid cells; end2end: `output_raw`, then
 * the top-k with tied scores allowed to swap), see {@link compareDetectionOutputs}.
 */
export function runFixture(module: Module<tf.Tensor, any>, fixture: Pick<Fixture, 'input' | 'output' | 'outputRaw'>, tol: Tolerance = TOLERANCE.cpu): Comparison {
  if (isDetector(module)) {
    const out = detectionOutputs(module, fixture.input);
    try {
      detectionReferences(out, fixture);
      const read = (t: tf.Tensor | null | undefined) => (t ? t.dataSync() : null);
      return compareDetectionOutputs({ output: read(out.output)!, raw: read(out.raw) }, { output: fixture.output.dataSync(), raw: read(fixture.outputRaw) }, out, tol);
    } finally {
      tf.dispose([out.output, ...(out.raw ? [out.raw] : [])]);
    }
  }
  const y = forwardTorchLayout(module, fixture.input);
  try {
    return compareOutputs(y, fixture.output, tol);
  } finally {
    y.dispose();
  }
}

/** {@link runFixture} reading results asynchronously (every backend, WebGPU included). */
export async function runFixtureAsync(module: Module<tf.Tensor, any>, fixture: Pick<Fixture, 'input' | 'output' | 'outputRaw'>, tol: Tolerance = TOLERANCE.cpu): Promise<Comparison> {
  if (isDetector(module)) {
    const out = detectionOutputs(module, fixture.input);
    try {
      detectionReferences(out, fixture);
      const read = async (t: tf.Tensor | null | undefined) => (t ? await t.data() : null);
      return compareDetectionOutputs({ output: (await read(out.output))!, raw: await read(out.raw) }, { output: await fixture.output.data(), raw: await read(fixture.outputRaw) }, out, tol);
    } finally {
      tf.dispose([out.output, ...(out.raw ? [out.raw] : [])]);
    }
  }
  const y = forwardTorchLayout(module, fixture.input);
  try {
    return await compareOutputsAsync(y, fixture.output, tol);
  } finally {
    y.dispose();
  }
}

/** Eval forward of a PyTorch-layout input, returning a PyTorch-layout output. */
export function forwardTorchLayout(module: Module<tf.Tensor, any>, input: tf.Tensor): tf.Tensor {
  module.eval();
  return tf.tidy(() => toTorchLayout(module.forward(fromTorchLayout(input)) as tf.Tensor));
}
