import type * as tf from '@tensorflow/tfjs-core';
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER, readSafetensorsMetadata, SafetensorsError } from '../state/safetensors.js';

/**
 * The file's first 8 + header-length bytes (the length word and the JSON header), after checking the length
 * against the file's size; errors name the file.
 */
function readHeaderBytes(path: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new SafetensorsError(`${path}: no such file`);
  }
  if (size < 8) return new Uint8Array(readFileSync(path));
  const fd = openSync(path, 'r');
  try {
    const word = Buffer.alloc(8);
    readSync(fd, word, 0, 8, 0);
    const headerLen = Number(word.readBigUInt64LE(0));
    if (headerLen > MAX_HEADER || 8 + headerLen > size) throw new SafetensorsError(`${path}: bad header length ${headerLen} (file has ${size} bytes)`);
    const head = Buffer.alloc(8 + headerLen);
    readSync(fd, head, 0, head.length, 0);
    return new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
  } finally {
    closeSync(fd);
  }
}

/** Reads a safetensors file; errors name the file. The header is checked before the data is read. */
export function readSafetensors(path: string): Map<string, tf.Tensor> {
  // refuse a corrupt header before reading a possibly huge file into memory
  readHeaderBytes(path);
  const buf = readFileSync(path);
  return decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/**
 * A safetensors file's `__metadata__` (string to string), reading only its header, not the tensor data; errors
 * name the file.
 */
export function readSafetensorsFileMetadata(path: string): Record<string, string> {
  return readSafetensorsMetadata(readHeaderBytes(path), path);
}

/** Writes tensors atomically: to a temporary file beside `path`, then renamed over it. */
export function writeSafetensors(path: string, tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
