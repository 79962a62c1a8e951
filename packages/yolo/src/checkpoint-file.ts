// Checkpoint files in Node: what a weights or model file is (by its first bytes), and loadCheckpoint on a path.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { sniffWeightsFile, type WeightsFileKind } from '@plugconv/core';
import { readCheckpointFile } from '@plugconv/core/node';
import { checkpointModel, type LoadCheckpointOptions, type LoadedCheckpoint } from './checkpoint.js';

/** A file that is not there; the message names it and the role it was given for. */
export class MissingFileError extends Error {
  /** The error's class name. */
  override name = 'MissingFileError';
}

/** Throws {@link MissingFileError} (`<role> <path>: no such file`) when `path` does not exist. */
export function requireFile(path: string, role = ''): void {
  if (!existsSync(path)) throw new MissingFileError(`${role ? `${role} ` : ''}${path}: no such file`);
}

/**
 * What a weights file is, from its first bytes: core's `sniffWeightsFile` kinds, with safetensors told from
 * its header length and first header byte (the header itself may be larger than what is read).
 */
export function weightsFileKind(path: string): WeightsFileKind {
  const size = statSync(path).size;
  const head = new Uint8Array(Math.min(size, 4096));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.length >= 9) {
    const n = new DataView(head.buffer).getBigUint64(0, true);
    if (n > 0n && 8n + n <= BigInt(size) && head[8] === 0x7b) return 'safetensors';
  }
  return sniffWeightsFile(head);
}

/** File name endings of PyTorch checkpoints. */
const CHECKPOINT_EXTENSIONS = ['.pt', '.pth', '.ckpt'];

/**
 * Whether a model argument is a weights file (a checkpoint, or a safetensors file given by mistake) rather
 * than a YAML config: by its ending, else by its first bytes when it exists.
 */
export function isWeightsFile(path: string): boolean {
  const ext = extname(path).toLowerCase();
  if (CHECKPOINT_EXTENSIONS.includes(ext) || ext === '.safetensors') return true;
  if (ext === '.yaml' || ext === '.yml' || !existsSync(path) || statSync(path).isDirectory()) return false;
  return ['zip', 'torch-legacy', 'pickle', 'safetensors'].includes(weightsFileKind(path));
}

/** Options of {@link loadCheckpointFile}: {@link LoadCheckpointOptions} less the source (the path). */
export type LoadCheckpointFileOptions = Omit<LoadCheckpointOptions, 'source'>;

/**
 * {@link loadCheckpoint} on a file: best.pt, last.pt, or a `torch.save(state_dict)` file with `options.yaml`
 * (a config from `loadYoloConfig`, or YAML text). Messages name the path; a file over the reader's size limit
 * is refused before it is read.
 */
export function loadCheckpointFile(path: string, options: LoadCheckpointFileOptions = {}): LoadedCheckpoint {
  requireFile(path);
  const ck = readCheckpointFile(path, { task: 'detect', ...(options.limits ? { limits: options.limits } : {}) });
  return checkpointModel(ck, options);
}
