import { Hardswish, ReLU, type Module } from '@plugconv/core';

/** MobileNetV3's activation codes: `HS` = hard-swish (use_hs), `RE` = ReLU. */
export type MobileNetV3Activation = 'HS' | 'RE';

/** A new activation module for a code; an unknown code is an error naming the argument. */
export function makeActivation(act: string, where = 'MobileNetV3Block'): Module {
  if (act === 'HS') return new Hardswish();
  if (act === 'RE') return new ReLU();
  throw new Error(`${where}: argument 'act' must be 'HS' (hard-swish) or 'RE' (ReLU), got ${JSON.stringify(act)}`);
}
