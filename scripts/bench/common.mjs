// Helpers the benchmark scripts share (Node side): arguments, configs of the networks, the test image, stats.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '@plugconv/test-harness/timing';

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A built package's dist file; the scripts run on the build (`pnpm build`), as users get it. */
export const distOf = (pkg, file) => join(root, 'packages', pkg, 'dist', file);

/** Exits with a message when the packages are not built. */
export function requireBuild(script) {
  if (!existsSync(distOf('core', 'index.js')) || !existsSync(distOf('yolo', 'index.js'))) {
    console.error(`${script}: packages are not built; run \`pnpm build\` first`);
    process.exit(2);
  }
}

/** `--name value` and `--flag` pairs. */
export function parseArgs(argv, script) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`${script}: unexpected argument '${a}'`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else out[a.slice(2)] = argv[++i];
  }
  return out;
}

/** A comma list argument with a default. */
export const listArg = (value, fallback) => String(value ?? fallback).split(',').filter(Boolean);

/** A network name (`yolo26n`) as a config file and scale: the shipped config, else ultralytics' YAML in core's fixtures. */
export function configOf(name, script = 'bench') {
  const m = /^(.+?)([nsmlx])$/.exec(name);
  if (!m) throw new Error(`${script}: '${name}' is not <config><scale> (yolo26n, yolov8s, ...)`);
  const [, cfg, scale] = m;
  const candidates = [join(root, 'packages/yolo/configs', `${cfg}.yaml`), join(root, 'packages/core/fixtures/v11/ultralytics', `${cfg}.yaml`)];
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`${script}: no ${cfg}.yaml (looked in ${candidates.join(', ')})`);
  return { path, scale, file: `${cfg}.yaml` };
}

/** Uniform [0, 1) pixels from a fixed-seed LCG: the same image for every side and every run of a script. */
export function image(n) {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = (s >>> 8) / 16777216;
  }
  return a;
}

/** NHWC (1, h, w, c) to NCHW (1, c, h, w). */
export function toNchw(nhwc, h, w, c) {
  const out = new Float32Array(nhwc.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(k * h + y) * w + x] = nhwc[(y * w + x) * c + k];
  return out;
}

export const stats = (ts) => ({ medianMs: median(ts), minMs: Math.min(...ts), runs: ts.length });
/** `median / min` in ms, one decimal. */
export const msCell = (s) => (s ? `${s.medianMs.toFixed(1)} / ${s.minMs.toFixed(1)}` : '-');

/**
 * How many cores this machine gives right now: the same integer loop run in 1 worker thread, then in 2 at once;
 * returns 2 x t(1) / t(2) (2.0: two free cores; 1.0: one core's worth, the rest taken by other processes).
 * Printed beside multi-threaded figures so a reader can tell a thread speed-up from a busy machine.
 */
export async function freeCoreProbe(iterations = 2e8) {
  const { Worker } = await import('node:worker_threads');
  const code = `const { parentPort, workerData } = require('node:worker_threads'); let x = 0; for (let i = 0; i < workerData; i++) x = (x + i * 7) % 1000003; parentPort.postMessage(x);`;
  const run = async (n) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((ok, fail) => new Worker(code, { eval: true, workerData: iterations }).once('message', ok).once('error', fail))));
    return performance.now() - t0;
  };
  const one = await run(1);
  const two = await run(2);
  return (2 * one) / two;
}
