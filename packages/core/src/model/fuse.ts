import type { Module } from '../nn/module.js';
import { isFusable } from '../blocks/fusable.js';

/** Folds every Conv+BN pair (and anything else {@link Fusable}) for inference, in place, as ultralytics' fuse(). */
export function fuse<M extends Module<any, any>>(model: M): M {
  for (const [, m] of model.namedModules()) if (m !== model && isFusable(m)) m.fuse();
  return model;
}
