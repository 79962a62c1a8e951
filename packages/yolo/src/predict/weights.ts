import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@plugconv/core';

/** A weights file that does not fit the model; the message names the file and the keys. */
export class WeightsError extends Error {
  override name = 'WeightsError';
}

/** At most `n` items of a list, then how many more. */
function some(list: string[], n = 8): string {
  return list.length <= n ? list.join(', ') : `${list.slice(0, n).join(', ')} (+${list.length - n} more)`;
}

/**
 * The state dict in a weights file: every tensor, or only the `state.` ones with the prefix removed when the file
 * is a plugconv fixture (input, output, state.*).
 */
export function stateFromFile(tensors: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  const prefixed = [...tensors.keys()].filter((k) => k.startsWith('state.'));
  if (!prefixed.length) return tensors;
  return new Map(prefixed.map((k) => [k.slice('state.'.length), tensors.get(k)!]));
}

/**
 * Loads a state dict (PyTorch layout and ultralytics' key names, `model.0.conv.weight`, ...; a fixture's `state.`
 * prefix is removed) into `model`. Fails naming `source` and the first missing, unexpected and mismatched keys
 * before any weight changes.
 */
export function loadStateInto(model: Module<any, any>, tensors: Map<string, tf.Tensor>, source: string): void {
  const sd = stateFromFile(tensors);
  const slots = new Map(model.namedSlots());
  const missing = [...slots.keys()].filter((k) => !sd.has(k));
  const unexpected = [...sd.keys()].filter((k) => !slots.has(k) && !k.endsWith('.num_batches_tracked'));
  const mismatched: string[] = [];
  for (const [k, slot] of slots) {
    const t = sd.get(k);
    const want = slot.layout.torchShape(slot.variable.shape);
    if (t && (t.shape.length !== want.length || want.some((d, i) => d !== t.shape[i]))) mismatched.push(`${k} expects [${want}], file has [${t.shape}]`);
  }
  const problems: string[] = [];
  if (missing.length) problems.push(`${missing.length} keys missing: ${some(missing)}`);
  if (unexpected.length) problems.push(`${unexpected.length} unexpected keys: ${some(unexpected)}`);
  if (mismatched.length) problems.push(`${mismatched.length} shapes differ: ${some(mismatched, 4)}`);
  if (problems.length) {
    throw new WeightsError(`${source} does not fit this model (${slots.size} tensors; is it the right config and scale?): ${problems.join('; ')}`);
  }
  model.loadStateDict(sd);
}
