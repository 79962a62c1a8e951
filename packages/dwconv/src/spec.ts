import { arg, CHANNELS, type ModuleSpec } from '@plugconv/core';
import { DWSConv } from './dwsconv.js';

const opt = { optional: true };

/** The YAML tokens this package registers: `DWSConv` (conv rule, drops in for `Conv`). */
export const modules: ModuleSpec[] = [
  {
    name: 'DWSConv',
    rule: 'conv',
    package: '@plugconv/dwconv',
    summary: 'depthwise-separable conv: depthwise k x k Conv (dilation d, no act) -> pointwise 1x1 Conv, padding autopad(k, None, d)',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('s', 'int', opt), arg('d', 'int', opt), arg('act', 'bool', opt)],
    create: (...a) => new DWSConv(...(a as ConstructorParameters<typeof DWSConv>)),
    examples: [
      { args: [8, 16, 3, 1], input: [2, 8, 8, 8] },
      { args: [8, 16, 3, 2, 2], input: [2, 9, 9, 8], label: 'stride 2, dilation 2, odd size' },
    ],
  },
];
