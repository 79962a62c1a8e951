// Timing helpers shared by the packages' benchmark scripts (packages/*/bench/*.mjs).
import * as tf from '@tensorflow/tfjs-core';

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

/** `--name value` from the command line, or the default. */
export function option(name, dflt) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
}
