import { existsSync } from 'node:fs';
import type { Module } from '@plugconv/core';
import { readSafetensors } from '@plugconv/core/node';
import { loadStateInto, WeightsError } from './weights.js';

/**
 * Loads a .safetensors weights file into `model` ({@link loadStateInto}); errors name the file and the keys.
 * Frees the file's tensors.
 */
export function loadWeights(model: Module<any, any>, path: string): void {
  if (!existsSync(path)) throw new WeightsError(`${path}: no such weights file`);
  const tensors = readSafetensors(path);
  try {
    loadStateInto(model, tensors, path);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
