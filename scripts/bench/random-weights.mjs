// Random weights of the benchmarked networks, written before the runs into a temporary folder (latency and load
// time do not depend on the values): ultralytics best.pt files (made by reference/make_random_checkpoints.py with python3 + torch)
// or plugconv's own random state dict as .safetensors.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configOf, distOf, root } from './common.mjs';

/** `models` (yolov8n, ...) as `<dir>/<name>.pt` best.pt files; fails with python's error output. */
function writeRandomCheckpoints(models, dir) {
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [join(root, 'reference/make_random_checkpoints.py'), dir, ...models], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`making the random best.pt files failed (use --weights safetensors instead):\n${r.stderr.slice(-2000)}`);
  return Object.fromEntries(models.map((m) => [m, join(dir, `${m}.pt`)]));
}

/** `models` as `<dir>/<name>.safetensors`, plugconv's initialisation of the shipped config. */
async function writeRandomSafetensors(models, dir) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const core = await import(distOf('core', 'index.js'));
  const { loadYoloConfig } = await import(distOf('core', 'node.js'));
  const { registry } = await import(distOf('yolo', 'index.js'));
  await core.useBackend('cpu');
  const out = {};
  for (const name of models) {
    const { path, scale } = configOf(name);
    const model = core.buildModel(loadYoloConfig(path), { registry, scale, warn: () => {} });
    const state = model.stateDict();
    out[name] = join(dir, `${name}.safetensors`);
    writeFileSync(out[name], core.encodeSafetensors(state));
    tf.dispose([...state.values()]);
    model.dispose();
  }
  return out;
}

/** Writes random weights of `models` in `kind` ('pt' or 'safetensors') into `dir`; name -> file path. */
export async function writeRandomWeights(kind, models, dir) {
  mkdirSync(dir, { recursive: true });
  if (kind === 'pt') return writeRandomCheckpoints(models, dir);
  if (kind === 'safetensors') return writeRandomSafetensors(models, dir);
  throw new Error(`weights are 'pt' or 'safetensors', got '${kind}'`);
}
