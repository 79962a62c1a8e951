import type { Module } from '@plugconv/core';
import { CondConv2d } from './cond-conv2d.js';
import { strategyUnsupported, type DynamicConvStrategy } from './strategies.js';

/**
 * Sets the per-sample convolution strategy of every dynamic convolution in `model` (`auto` restores the
 * measured default). Layers a forced strategy cannot run (e.g. `batched-matmul` on a 3x3 kernel) keep `auto`.
 * Returns how many layers took the strategy.
 */
export function setDynamicConvStrategy(model: Module<any, any>, strategy: DynamicConvStrategy | 'auto'): number {
  let n = 0;
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof CondConv2d)) continue;
    if (strategy !== 'auto' && strategyUnsupported(strategy, m.shape)) {
      m.setStrategy('auto');
      continue;
    }
    m.setStrategy(strategy);
    n++;
  }
  return n;
}
