import type { Module } from '../nn/module.js';
import { isFusable, isReparameterizable } from '../blocks/fusable.js';
import { fuse } from './fuse.js';

/**
 * Structural re-parameterisation only: calls `switchToDeploy()` on every {@link Reparameterizable} module of the
 * tree, the root included (as the reference implementations' `repghost_model_convert`), and leaves every
 * other layer as it is. Parameter counts then equal the PyTorch reference's after its `switch_to_deploy()`
 * (the fixtures' `deploy_params`). The model is left in eval mode.
 */
export function reparameterize<M extends Module<any, any>>(model: M): M {
  model.eval();
  // the list is taken before any module rebuilds itself, so each re-parameterises once
  for (const [, m] of model.namedModules()) if (isReparameterizable(m)) m.switchToDeploy();
  return model;
}

/**
 * Prepares a model for inference in one pass: every module's `switchToDeploy()` (re-parameterisation), then
 * ultralytics-style Conv+BN folding of every {@link Fusable} module (the root included). Eval-mode outputs are
 * unchanged; the parameter count drops below {@link reparameterize}'s by the folded BNs. The model is left in
 * eval mode (a deployed model has no BatchNorm to train).
 */
export function deploy<M extends Module<any, any>>(model: M): M {
  reparameterize(model);
  fuse(model);
  if (isFusable(model)) model.fuse();
  return model;
}
