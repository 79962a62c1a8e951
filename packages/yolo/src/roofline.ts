import * as tf from '@tensorflow/tfjs-core';
import { median } from './latency.js';

/**
 * The roofline probe's convolution: one 3x3 conv, 128 -> 128 channels at 80x80, stride 1, 'same' padding. Its
 * rate is what a network made only of such large, well-shaped convolutions would reach on the active backend
 * (on wasm: XNNPACK's SIMD kernel on one thread), the ceiling to read a network's achieved GFLOP/s against.
 */
export const ROOFLINE_CONV: {
  /** Height and width of the input (and output) feature map. */
  readonly size: 80;
  /** Input and output channels. */
  readonly channels: 128;
  /** Kernel height and width. */
  readonly kernel: 3;
} = { size: 80, channels: 128, kernel: 3 };

/** GFLOP of one probe convolution (2 x multiply-adds: 2 * 80 * 80 * 128 * 128 * 9 / 1e9 = 1.89). */
export const ROOFLINE_GFLOP = (2 * ROOFLINE_CONV.size ** 2 * ROOFLINE_CONV.channels ** 2 * ROOFLINE_CONV.kernel ** 2) / 1e9;

/** The 3x3-conv roofline of a backend: the probe's latency and the rate it gives. */
export interface ConvRoofline {
  /** GFLOP of one probe convolution ({@link ROOFLINE_GFLOP}). */
  gflop: number;
  /** Median probe latency, milliseconds. */
  medianMs: number;
  /** Fastest probe run, milliseconds. */
  minMs: number;
  /** Timed probe runs. */
  runs: number;
  /** gflop over the median seconds (what a network timed in the same rounds, under the same load, is read against). */
  gflopsPerSecond: number;
  /** gflop over the fastest run's seconds: the ceiling when the probe runs apart from the network (plugconv bench). */
  bestGflopsPerSecond: number;
}

/** The probe on the active tfjs backend: `run()` does one convolution and reads it back; `dispose()` frees it. */
export interface RooflineProbe {
  /** GFLOP of one run. */
  gflop: number;
  /** One convolution, its output read back and freed. */
  run(): Promise<void>;
  /** Frees the probe's input and weights. */
  dispose(): void;
}

/** Makes the probe's input and weights (random, fixed shapes) on the active backend. */
export function convRooflineProbe(): RooflineProbe {
  const { size, channels, kernel } = ROOFLINE_CONV;
  const x = tf.randomUniform([1, size, size, channels]);
  const w = tf.randomNormal([kernel, kernel, channels, channels], 0, 0.05);
  return {
    gflop: ROOFLINE_GFLOP,
    run: async () => {
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
      try {
        await y.data();
      } finally {
        y.dispose();
      }
    },
    dispose: () => tf.dispose([x, w]),
  };
}

/** The roofline of probe times (milliseconds) someone else took, e.g. interleaved with other work. */
export function rooflineOf(times: readonly number[], gflop = ROOFLINE_GFLOP): ConvRoofline {
  if (times.length === 0) throw new Error('rooflineOf: no probe times');
  const medianMs = median(times);
  const minMs = Math.min(...times);
  return { gflop, medianMs, minMs, runs: times.length, gflopsPerSecond: gflop / (medianMs / 1000), bestGflopsPerSecond: gflop / (minMs / 1000) };
}

/** Times the probe `runs` times after `warmup` untimed runs on the active backend. */
export async function measureConvRoofline(runs = 10, warmup = 2): Promise<ConvRoofline> {
  const probe = convRooflineProbe();
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) await probe.run();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await probe.run();
      times.push(performance.now() - t0);
    }
  } finally {
    probe.dispose();
  }
  return rooflineOf(times, probe.gflop);
}

/** Percent of a roofline rate (GFLOP/s) a network's achieved GFLOP/s is. */
export function percentOfRoofline(gflopsPerSecond: number, rooflineGflopsPerSecond: number): number {
  return (100 * gflopsPerSecond) / rooflineGflopsPerSecond;
}
