import { arg, CHANNELS, type ModuleSpec } from '@plugconv/core';
import { SAConv2d } from './saconv2d.js';
import { C2f_SAConv } from './c2f-saconv.js';

const PKG = '@plugconv/saconv';
const opt = { optional: true };

/** The YAML tokens this package registers: SAConv2d (conv rule) and C2f_SAConv (repeat rule). */
export const saconvModules: ModuleSpec[] = [
  {
    name: 'SAConv2d',
    rule: 'conv',
    package: PKG,
    summary: 'switchable atrous convolution (DetectoRS): standardised kernel at dilation d and 3d, mixed by a learned switch, with global context; BN, SiLU',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('s', 'int', opt), arg('p', 'int', { optional: true, nullable: true }), arg('g', 'int', opt), arg('d', 'int', opt), arg('act', 'bool', opt)],
    create: (...a) => new SAConv2d(...(a as ConstructorParameters<typeof SAConv2d>)),
  },
  {
    name: 'C2f_SAConv',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f whose bottlenecks end in SAConv2d (cv1 Conv 3x3, cv2 SAConv2d 3x3)',
    signature: [...CHANNELS, arg('n', 'int', opt), arg('shortcut', 'bool', opt), arg('g', 'int', opt), arg('e', 'number', opt)],
    create: (...a) => new C2f_SAConv(...(a as ConstructorParameters<typeof C2f_SAConv>)),
  },
];
