import type * as tf from '@tensorflow/tfjs-core';
import { StateDictError, type Module } from '@plugconv/core';

/** A weights file that does not fit the model; the message names the file and the keys. */
export class WeightsError extends Error {
  /** The error's class name. */
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
 * Loads a weights file's tensors into `model` (a `state.` prefix, as fixtures have, is removed). When they do not
 * fit, the error names the file, counts what is missing, unexpected or mis-shaped, and lists the first keys.
 */
export function loadStateInto(model: Module<any, any>, tensors: Map<string, tf.Tensor>, source: string): void {
  try {
    model.loadStateDict(stateFromFile(tensors));
  } catch (e) {
    if (!(e instanceof StateDictError)) throw e;
    const problems: string[] = [];
    if (e.missing.length) problems.push(`${e.missing.length} keys missing: ${some(e.missing)}`);
    if (e.unexpected.length) problems.push(`${e.unexpected.length} unexpected keys: ${some(e.unexpected)}`);
    if (e.mismatched.length) problems.push(`${e.mismatched.length} shapes differ: ${some(e.mismatched.map((m) => `${m.key} expects [${m.expected}], file has [${m.got}]`), 4)}`);
    const size = model.namedSlots().length;
    throw new WeightsError(`${source} does not fit this model (${size} tensors; is it the right config and scale?): ${problems.join('; ')}`);
  }
}
