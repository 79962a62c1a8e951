import { CONV_ARGS, C2F_ARGS, C3K2_FAMILY, type ModuleSpec } from '@plugconv/core';
import { SAConv2d } from './saconv2d.js';
import { C2f_SAConv } from './c2f-saconv.js';
import { C3k2_SAConv } from './c3k2-saconv.js';

const PKG = '@plugconv/saconv';

/** The YAML tokens this package registers: SAConv2d (conv rule) and C2f_SAConv (repeat rule). */
export const modules: ModuleSpec[] = [
  {
    name: 'SAConv2d',
    rule: 'conv',
    package: PKG,
    summary: 'switchable atrous convolution (DetectoRS): standardised kernel at dilation d and 3d, mixed by a learned switch, with global context; BN, SiLU',
    signature: [...CONV_ARGS],
    create: (...a) => new SAConv2d(...(a as ConstructorParameters<typeof SAConv2d>)),
    // stride 1: at stride s the switch's 1x1 conv runs before its 5x5 average, at stride 1 (exact and cheaper for
    // c1 channels), while the count is the reference's stride-s conv, so the FLOP check's kernel count would differ
    examples: [{ args: [8, 16, 3, 1], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C2f_SAConv',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f whose bottlenecks end in SAConv2d (cv1 Conv 3x3, cv2 SAConv2d 3x3)',
    signature: [...C2F_ARGS],
    create: (...a) => new C2f_SAConv(...(a as ConstructorParameters<typeof C2f_SAConv>)),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C3k2_SAConv',
    ...C3K2_FAMILY,
    package: PKG,
    summary: 'C3k2 whose bottlenecks (direct, inside C3k, before PSABlock) end in SAConv2d (cv1 Conv 3x3, cv2 SAConv2d 3x3)',
    create: (...a) => new C3k2_SAConv(...(a as ConstructorParameters<typeof C3k2_SAConv>)),
  },
];
