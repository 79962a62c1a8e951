import { arg, type ModuleSpec } from '@plugconv/core';
import { MobileNetV3Block } from './mobilenetv3-block.js';

const opt = { optional: true };

/**
 * The YAML tokens this package registers: `MobileNetV3Block` (fixed rule: c2 = args[0] as written, not scaled
 * by width; YAML args [c2, k, s, exp, se, act, d]).
 */
export const modules: ModuleSpec[] = [
  {
    name: 'MobileNetV3Block',
    rule: 'fixed',
    package: '@plugconv/mobilenetv3',
    summary: "MobileNetV3 inverted residual (torchvision): expand 1x1, depthwise k, SE (hard-sigmoid), project 1x1; act 'HS' or 'RE'",
    signature: [
      arg('c1', 'int'),
      arg('c2', 'int'),
      arg('k', 'int', opt),
      arg('s', 'int', opt),
      arg('exp', 'int', opt),
      arg('se', 'bool', opt),
      arg('act', 'string', opt),
      arg('d', 'int', opt),
    ],
    create: (...a) => new MobileNetV3Block(...(a as ConstructorParameters<typeof MobileNetV3Block>)),
    examples: [
      { args: [16, 16, 3, 1, 32, true, 'HS'], input: [2, 8, 8, 16], label: 'SE, hard-swish, residual' },
      { args: [16, 24, 5, 2, 48, false, 'RE'], input: [2, 8, 8, 16], label: 'k 5, stride 2, ReLU' },
      { args: [16, 16, 3, 1, 16, true, 'RE', 2], input: [2, 8, 8, 16], label: 'no expansion, dilation 2' },
    ],
  },
];
