import { existsSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';
import { stateDictToTf, type Module, type WeightsFileKind } from '@plugconv/core';
import { readCheckpointFile, readSafetensors } from '@plugconv/core/node';
import { requireFile, weightsFileKind } from '../checkpoint-file.js';
import { loadStateInto, WeightsError } from './weights.js';

/**
 * The state dict in a weights file, as tfjs tensors (PyTorch layout, ultralytics keys): a .safetensors file, or
 * a PyTorch checkpoint (an ultralytics best.pt/last.pt or a `torch.save(state_dict)` file, read by core's
 * reader: nothing in it is executed, fp16 comes out as float32). What is neither fails with a message that says
 * what the file is. The caller disposes the tensors.
 */
export function readWeightsFile(path: string): Map<string, tf.Tensor> {
  requireFile(path);
  if (weightsFileKind(path) === 'safetensors') return readSafetensors(path);
  return stateDictToTf(readCheckpointFile(path, { task: 'detect' }).stateDict);
}

/**
 * Loads a weights file ({@link readWeightsFile}) into `model` ({@link loadStateInto}); errors name the file and
 * the keys. Frees the file's tensors.
 */
export function loadWeights(model: Module<any, any>, path: string): void {
  if (!existsSync(path)) throw new WeightsError(`${path}: no such weights file`);
  const tensors = readWeightsFile(path);
  try {
    loadStateInto(model, tensors, path);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** What a file that should be safetensors is instead, in words. */
const NOT_SAFETENSORS: Partial<Record<WeightsFileKind, string>> = {
  zip: 'a PyTorch checkpoint (a torch.save zip archive)',
  'torch-legacy': "a PyTorch file in torch.save's legacy (pre-1.6) format",
  pickle: 'a bare Python pickle',
  empty: 'empty (0 bytes)',
  'git-lfs-pointer': 'a Git LFS pointer, not the file itself (git lfs pull fetches it)',
  html: 'an HTML page (a download that fetched a web page)',
};

/**
 * Refuses a file that is not safetensors where one is expected, saying what it is instead (`role` names the
 * file's part, `hint` what to do): e.g. a best.pt given as a check's reference.
 */
export function requireSafetensorsFile(path: string, role: string, hint: string): void {
  requireFile(path, role);
  const kind = weightsFileKind(path);
  if (kind === 'safetensors') return;
  const what = NOT_SAFETENSORS[kind] ?? 'not a safetensors file (no 8-byte header length followed by a JSON header)';
  throw new WeightsError(`${role} ${path} is ${what}${kind in NOT_SAFETENSORS ? ', not a safetensors file' : ''}: ${hint}`);
}
