// Timing helpers of the packages' benchmarks (packages/*/bench/<topic>.bench.mjs, run by each package's `bench`
// script after a build, so @plugconv/core resolves to its dist). Importing this registers tfjs' cpu and wasm
// backends for Node (one tfjs-core instance: pnpm links the same copy everywhere) and turns tfjs' debug checks
// off; select one with core's useBackend.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { configPath } from './paths.mjs';

tf.env().set('PROD', true);

/**
 * Wall times (ms) of each function over `runs` interleaved rounds (round r runs every function once, so load
 * from other processes hits all candidates alike) after `warmup` untimed rounds; each result is read back
 * (awaited) and freed. Returns per function its median and minimum.
 */
export async function interleavedTimes(fns, runs, warmup = 2) {
  const once = async (f) => {
    const t0 = performance.now();
    const y = f();
    await y.data();
    const t = performance.now() - t0;
    y.dispose();
    return t;
  };
  for (let w = 0; w < warmup; w++) for (const f of fns) await once(f);
  const times = fns.map(() => []);
  for (let r = 0; r < runs; r++) for (let i = 0; i < fns.length; i++) times[i].push(await once(fns[i]));
  return times.map((ts) => ({ median: median(ts), min: Math.min(...ts) }));
}

/**
 * Median wall time (ms) of each function, measured interleaved (round r runs every function once) so that
 * load from other processes hits all candidates alike. Two untimed warm-up rounds; results are read back.
 */
export function interleavedMedians(fns, runs) {
  const once = (f) => {
    const t0 = performance.now();
    tf.tidy(() => {
      f().dataSync();
    });
    return performance.now() - t0;
  };
  for (let w = 0; w < 2; w++) fns.forEach(once);
  const times = fns.map(() => []);
  for (let r = 0; r < runs; r++) fns.forEach((f, i) => times[i].push(once(f)));
  return times.map((ts) => ts.sort((a, b) => a - b)[ts.length >> 1]);
}

/**
 * Median eval-forward time (ms) of each module on one random NHWC input of `shape` (the modules put in eval
 * mode, timed interleaved by {@link interleavedMedians}); the input is freed, the modules are the caller's.
 */
export function forwardMedians(modules, shape, runs) {
  const x = tf.randomNormal(shape);
  for (const m of modules) m.eval();
  try {
    return interleavedMedians(modules.map((m) => () => m.forward(x)), runs);
  } finally {
    x.dispose();
  }
}

/**
 * A config of the benchmark's package (its fixtures/models, else core's yolov8.yaml; `base` is the bench file's
 * import.meta.url) built with `registry` at `scale`, in eval mode, warnings off.
 */
export function benchModel(base, registry, cfg, scale = 'n') {
  return buildModel(loadYoloConfig(configPath(base, cfg)), { registry, scale, warn: () => {} }).eval();
}

/** The median of a list of numbers (the upper one of the middle two for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** `--name value` from the command line, else the environment's NAME (upper case, - as _), else the default. */
export function option(name, dflt) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return process.env[name.toUpperCase().replace(/-/g, '_')] ?? dflt;
}
