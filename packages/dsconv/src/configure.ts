import type { Module } from '@plugconv/core';
import { dsconvLayers } from './dsconv.js';
import { checkQuantization } from './quantize.js';

/** Quantisation options for {@link setQuantization}; what is left out is kept. */
export interface QuantizationOptions {
  /** 0 (plain convolution) or 2..8. */
  bits?: number;
  /** Input channels per block. */
  block?: number;
}

/**
 * Sets bits and/or block on every DSConv of a module or model (the float shadow weights are kept, so this can
 * be changed back). Returns the number of DSConv layers changed.
 */
export function setQuantization(module: Module<any, any>, options: QuantizationOptions): number {
  // check before changing anything (kept values are valid already)
  checkQuantization('setQuantization', options.bits ?? 0, options.block ?? 1);
  const layers = dsconvLayers(module);
  for (const [, m] of layers) m.setQuantization(options.bits ?? m.bits, options.block ?? m.block);
  return layers.length;
}
