import type { Module } from '../nn/module.js';
import { isReparameterizable } from '../blocks/fusable.js';
import { fuse } from './summary.js';

/**
 * Prepares a model for inference in one pass: every module's `switchToDeploy()` (re-parameterisation), then
 * ultralytics-style Conv+BN folding. Eval-mode outputs are unchanged; the parameter count drops. The model is
 * left in eval mode (a deployed model has no BatchNorm to train).
 */
export function deploy<M extends Module<any, any>>(model: M): M {
  model.eval();
  for (const [, m] of model.namedModules()) if (m !== model && isReparameterizable(m)) m.switchToDeploy();
  return fuse(model);
}
