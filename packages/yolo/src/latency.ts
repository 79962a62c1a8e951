import * as tf from '@tensorflow/tfjs-core';
import type { DetectionModel } from '@plugconv/core';

/** Forward latency of a model: median and spread over `runs` timed forwards after `warmup` untimed ones. */
export interface Latency {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /** Largest tf.memory().numBytes seen during the timed runs. */
  peakBytes: number;
}

/** Times eval forwards of `model` on a random batch (NHWC), awaiting the result's data each time. */
export async function measureLatency(model: DetectionModel, shape: [number, number, number, number], runs = 5, warmup = 1): Promise<Latency> {
  model.eval();
  const x = tf.randomUniform(shape);
  const times: number[] = [];
  let peak = 0;
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      const y = model.predict(x);
      await y.data();
      peak = Math.max(peak, tf.memory().numBytes);
      y.dispose();
      if (i >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    x.dispose();
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, minMs: times[0]!, maxMs: times[times.length - 1]!, runs, peakBytes: peak };
}
