import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_CHECKPOINT_LIMITS } from '../checkpoint/archive.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { readCheckpoint, type Checkpoint, type ReadCheckpointOptions } from '../checkpoint/read-checkpoint.js';

/**
 * Reads a checkpoint file (best.pt, last.pt, a torch.save state dict) with {@link readCheckpoint}; messages name
 * the path. A file larger than the size limit is refused before it is read.
 */
export function readCheckpointFile(path: string, options: ReadCheckpointOptions = {}): Checkpoint {
  const max = options.limits?.maxTotalBytes ?? DEFAULT_CHECKPOINT_LIMITS.maxTotalBytes;
  const size = statSync(path).size;
  if (size > max) throw new CheckpointError('too-large', path, `${path}: ${size} bytes, over the limit of ${max}`);
  const buf = readFileSync(path);
  return readCheckpoint(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), { source: path, ...options });
}
