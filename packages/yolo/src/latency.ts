import * as tf from '@tensorflow/tfjs-core';
import type { DetectionModel } from '@plugconv/core';

/** Forward latency of a model: median and spread over `runs` timed forwards after `warmup` untimed ones. */
export interface Latency {
  /** Median of the timed forwards, milliseconds. */
  medianMs: number;
  /** Fastest timed forward, milliseconds. */
  minMs: number;
  /** Slowest timed forward, milliseconds. */
  maxMs: number;
  /** Number of timed forwards. */
  runs: number;
  /**
   * Peak tf.memory().numBytes during one forward (weights, input and every intermediate alive at once), as the
   * engine tracks it under tf.profile on the last warm-up forward (an extra untimed forward when warmup is 0).
   */
  peakBytes: number;
}

/** Achieved GFLOP/s: `gflops` per image (summarize's figure) times the batch, over the latency. */
export function achievedGflops(gflops: number, batch: number, ms: number): number {
  return (gflops * batch) / (ms / 1000);
}

/** The median of some times (the mean of the middle two of an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One eval forward, awaiting the output's data (so asynchronous backends finish), then freeing it. */
async function forwardOnce(model: DetectionModel, x: tf.Tensor): Promise<void> {
  const y = model.predict(x);
  try {
    await y.data();
  } finally {
    y.dispose();
  }
}

/**
 * Times eval forwards of `model` on a random batch (NHWC), awaiting the result's data each time. The last
 * warm-up forward runs under tf.profile for the peak memory, so measuring it costs no extra forward.
 */
export async function measureLatency(model: DetectionModel, shape: [number, number, number, number], runs = 5, warmup = 1): Promise<Latency> {
  model.eval();
  const x = tf.randomUniform(shape);
  const times: number[] = [];
  let peak = 0;
  try {
    for (let i = 0; i < Math.max(warmup, 1); i++) {
      if (i === Math.max(warmup, 1) - 1) peak = (await tf.profile(() => forwardOnce(model, x))).peakBytes;
      else await forwardOnce(model, x);
    }
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await forwardOnce(model, x);
      times.push(performance.now() - t0);
    }
  } finally {
    x.dispose();
  }
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs, peakBytes: peak };
}
