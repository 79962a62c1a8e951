import type * as tf from '@tensorflow/tfjs-core';
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER, SafetensorsError } from '../state/safetensors.js';

/** Reads a safetensors file; errors name the file. The header is checked before the data is read. */
export function readSafetensors(path: string): Map<string, tf.Tensor> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new SafetensorsError(`${path}: no such file`);
  }
  if (size >= 8) {
    // refuse a corrupt header before reading a possibly huge file into memory
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    closeSync(fd);
    const headerLen = Number(head.readBigUInt64LE(0));
    if (headerLen > MAX_HEADER || 8 + headerLen > size) throw new SafetensorsError(`${path}: bad header length ${headerLen} (file has ${size} bytes)`);
  }
  const buf = readFileSync(path);
  return decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** Writes tensors atomically: to a temporary file beside `path`, then renamed over it. */
export function writeSafetensors(path: string, tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
