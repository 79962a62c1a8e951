import { BatchNorm2d, Conv2d, ConvNormAct, type Module } from '@plugconv/core';

/**
 * torchvision's Conv2dNormActivation as MobileNetV3 uses it: `0` Conv2d (no bias, padding (k-1)//2*d) ->
 * `1` BatchNorm2d -> `2` activation (left out when `act` is null, as torchvision does for the projection).
 * State keys `0.weight`, `1.weight`, `1.bias`, `1.running_mean`, `1.running_var`. BN eps 1e-3 (torchvision's
 * mobilenet_v3 and ultralytics agree) and momentum 0.03 (ultralytics' initialize_weights, inside a YOLO
 * model). `fuse()` (core's ConvNormAct) folds the BN into the conv (`0.bias` appears, `1` goes).
 */
export class ConvNormActivation extends ConvNormAct<Conv2d> {
  constructor(cin: number, cout: number, k: number, options: { stride?: number; groups?: number; dilation?: number; act?: Module | null } = {}) {
    const dilation = options.dilation ?? 1;
    const conv = new Conv2d(cin, cout, k, { stride: options.stride ?? 1, padding: Math.floor((k - 1) / 2) * dilation, dilation, groups: options.groups ?? 1 });
    super(conv, new BatchNorm2d(cout), options.act ?? null, { conv: '0', bn: '1', act: '2' });
  }
}
