import { arg, CONV_ARGS, C2F_ARGS, C3K2_FAMILY, type ModuleSpec } from '@plugconv/core';
import { DSConv2D } from './dsconv2d.js';
import { C2f_DSConv } from './c2f-dsconv.js';
import { C3k2_DSConv } from './c3k2-dsconv.js';

const PKG = '@plugconv/dsconv';
const opt = { optional: true };
const bits = arg('bits', 'int', opt);
const block = arg('block', 'int', opt);

/** The YAML tokens this package registers: DSConv2D (channel rule conv), C2f_DSConv and C3k2_DSConv (rule repeat). */
export const modules: ModuleSpec[] = [
  {
    name: 'DSConv2D',
    rule: 'conv',
    package: PKG,
    summary: 'distribution-shifting conv (VQK/KDS-quantised kernel, bits 0|2..8, block) -> BatchNorm2d -> SiLU; drop-in for Conv',
    signature: [
      ...CONV_ARGS,
      bits,
      block,
    ],
    create: (...a) => new DSConv2D(...(a as ConstructorParameters<typeof DSConv2D>)),
    examples: [
      { args: [8, 16, 3, 1], input: [2, 8, 8, 8], label: '8 bits, block 32' },
      { args: [16, 16, 3, 2, null, 2, 1, true, 4, 4], input: [2, 8, 8, 16], label: '4 bits, block 4, groups 2, stride 2' },
      { args: [8, 16, 1, 1, null, 1, 1, true, 0], input: [2, 8, 8, 8], label: 'bits 0: plain conv' },
    ],
  },
  {
    name: 'C2f_DSConv',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f whose cv1, cv2 and bottleneck convs (1x1 then 3x3) are DSConv2D',
    signature: [...C2F_ARGS, bits, block],
    create: (...a) => new C2f_DSConv(...(a as ConstructorParameters<typeof C2f_DSConv>)),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C3k2_DSConv',
    ...C3K2_FAMILY,
    package: PKG,
    summary: 'C3k2 whose bottlenecks (direct, inside C3k, before PSABlock) are Bottleneck_DSConv: DSConv2D 1x1 then 3x3',
    create: (...a) => new C3k2_DSConv(...(a as ConstructorParameters<typeof C3k2_DSConv>)),
  },
];
