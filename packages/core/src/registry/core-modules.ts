import { Conv, DWConv } from '../blocks/conv.js';
import { Bottleneck, C2, C2f, C3 } from '../blocks/csp.js';
import { SPPF } from '../blocks/sppf.js';
import { C3Ghost, GhostBottleneck, GhostConv } from '../blocks/ghost.js';
import { Detect } from '../blocks/detect.js';
import { C3k2 } from '../blocks/c3k2.js';
import { C2PSA } from '../blocks/attention.js';
import { A2C2f } from '../blocks/area-attention.js';
import { Concat, Upsample } from '../nn/pool.js';
import { ULTRALYTICS_SEMANTICS } from '../parse/semantics.js';
import { arg, C2F_ARGS, C3K2_FAMILY, CHANNELS, CONV_ARGS, type ModuleSpec } from './spec.js';

const PKG = '@plugconv/core';
const opt = { optional: true };
const shortcut = arg('shortcut', 'bool', opt);
const g = arg('g', 'int', opt);
const e = arg('e', 'number', opt);

/** The ultralytics blocks core provides, as YAML tokens. */
export const coreModules: ModuleSpec[] = [
  {
    name: 'Conv',
    rule: 'conv',
    package: PKG,
    summary: 'Conv2d (no bias) -> BatchNorm2d -> SiLU, padding autopad(k, p, d)',
    signature: CONV_ARGS,
    create: (...a) => new Conv(...(a as ConstructorParameters<typeof Conv>)),
    examples: [
      { args: [8, 16, 3, 1], input: [2, 8, 8, 8] },
      { args: [8, 16, 3, 2, null, 2, 2], input: [2, 9, 9, 8], label: 'groups 2, stride 2, dilation 2, odd size' },
    ],
  },
  {
    name: 'DWConv',
    rule: 'conv',
    package: PKG,
    summary: 'Conv with groups = gcd(c1, c2)',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('s', 'int', opt), arg('d', 'int', opt), arg('act', 'bool', opt)],
    create: (...a) => new DWConv(...(a as ConstructorParameters<typeof DWConv>)),
    examples: [{ args: [8, 16, 3, 2], input: [2, 8, 8, 8], label: 'depthwise, multiplier 2, stride 2' }],
  },
  {
    name: 'Bottleneck',
    rule: 'conv',
    package: PKG,
    summary: 'two Convs (3x3, 3x3) with an optional residual',
    signature: [...CHANNELS, shortcut, g, arg('k', 'int[]', opt), e],
    create: (...a) => new Bottleneck(...(a as ConstructorParameters<typeof Bottleneck>)),
    examples: [{ args: [8, 8, true, 1, [3, 3], 0.5], input: [2, 8, 8, 8], label: 'shortcut' }],
  },
  {
    name: 'C2f',
    rule: 'repeat',
    package: PKG,
    summary: 'CSP bottleneck with 2 convolutions, every bottleneck output concatenated (YOLOv8)',
    signature: C2F_ARGS,
    create: (...a) => new C2f(...(a as ConstructorParameters<typeof C2f>)),
    examples: [{ args: [8, 16, 2, true], input: [2, 8, 8, 8], label: 'n 2, shortcut' }],
  },
  {
    name: 'C2',
    rule: 'repeat',
    package: PKG,
    summary: 'CSP bottleneck with 2 convolutions (yolov8-p6 head)',
    signature: C2F_ARGS,
    create: (...a) => new C2(...(a as ConstructorParameters<typeof C2>)),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C3',
    rule: 'repeat',
    package: PKG,
    summary: 'CSP bottleneck with 3 convolutions (YOLOv5)',
    signature: C2F_ARGS,
    create: (...a) => new C3(...(a as [number, number, number?, boolean?, number?, number?])),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'SPPF',
    rule: 'conv',
    package: PKG,
    summary: 'spatial pyramid pooling, fast: n chained k x k max pools, optional residual (cv1 activation per ultralytics version)',
    // cv1_act is plugconv's: the build fills it from the ultralytics semantics (8.2: SiLU, 8.4: none)
    signature: [...CHANNELS, arg('k', 'int', opt), arg('n', 'int', { optional: true, min: 1 }), shortcut, arg('cv1_act', 'bool', opt)],
    buildArgs: (a, ctx) => (a[5] !== undefined ? [...a] : [a[0], a[1], a[2] ?? 5, a[3] ?? 3, a[4] ?? false, ULTRALYTICS_SEMANTICS[ctx.ultralytics].sppfCv1Act]),
    create: (...a) => new SPPF(...(a as ConstructorParameters<typeof SPPF>)),
    examples: [
      { args: [16, 16, 5], input: [2, 8, 8, 16], label: '8.4 defaults' },
      { args: [16, 16, 5, 3, true, true], input: [2, 8, 8, 16], label: 'residual, cv1 SiLU (8.2)' },
    ],
  },
  {
    name: 'GhostConv',
    rule: 'conv',
    package: PKG,
    summary: 'GhostNet convolution: half the channels from a cheap 5x5 depthwise Conv',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('s', 'int', opt), g, arg('act', 'bool', opt)],
    create: (...a) => new GhostConv(...(a as ConstructorParameters<typeof GhostConv>)),
    examples: [{ args: [8, 16, 3, 1], input: [2, 8, 8, 8] }],
  },
  {
    name: 'GhostBottleneck',
    rule: 'conv',
    package: PKG,
    summary: 'GhostNet bottleneck (stride 1 or 2)',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('s', 'int', opt)],
    create: (...a) => new GhostBottleneck(...(a as ConstructorParameters<typeof GhostBottleneck>)),
    examples: [
      { args: [16, 16, 3, 1], input: [2, 8, 8, 16] },
      { args: [8, 16, 3, 2], input: [2, 8, 8, 8], label: 'stride 2, projection shortcut' },
    ],
  },
  {
    name: 'C3Ghost',
    rule: 'repeat',
    package: PKG,
    summary: 'C3 with GhostBottlenecks',
    signature: C2F_ARGS,
    create: (...a) => new C3Ghost(...(a as ConstructorParameters<typeof C3Ghost>)),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'Concat',
    rule: 'concat',
    package: PKG,
    summary: 'concatenates its inputs along channels',
    signature: [arg('dimension', 'int', opt)],
    create: (d = 1) => new Concat(d),
    examples: [{ args: [1], input: [[2, 8, 8, 8], [2, 8, 8, 16]], label: 'two inputs' }],
  },
  {
    name: 'nn.Upsample',
    rule: 'same',
    package: PKG,
    summary: 'nearest-neighbour upsampling by an integer factor',
    signature: [arg('size', 'any', { nullable: true }), arg('scale_factor', 'int'), arg('mode', 'string', opt)],
    create: (size: unknown, s: number, mode = 'nearest') => {
      if (size !== null && size !== undefined) throw new Error('nn.Upsample: give scale_factor, not size');
      return new Upsample(s, mode);
    },
    examples: [{ args: [null, 2, 'nearest'], input: [2, 4, 4, 8] }],
  },
  {
    name: 'C3k2',
    ...C3K2_FAMILY,
    package: PKG,
    summary: 'C2f whose blocks are Bottlenecks, C3k blocks (c3k) or Bottleneck + PSABlock (attn); YOLO11, YOLO26',
    create: (...a) => new C3k2(...(a as ConstructorParameters<typeof C3k2>)),
  },
  {
    name: 'C2PSA',
    rule: 'repeat',
    package: PKG,
    summary: 'CSP block with n position-sensitive attention blocks on half the channels (c1 == c2); YOLO11, YOLO26',
    signature: [...CHANNELS, arg('n', 'int', opt), e],
    create: (...a) => new C2PSA(...(a as ConstructorParameters<typeof C2PSA>)),
    examples: [{ args: [128, 128, 1], input: [2, 4, 4, 128] }],
  },
  {
    name: 'A2C2f',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f-style block of area-attention blocks (a2) or C3k blocks; YOLO12',
    signature: [
      ...CHANNELS,
      arg('n', 'int', opt),
      arg('a2', 'bool', opt),
      arg('area', 'int', opt),
      arg('residual', 'bool', opt),
      arg('mlp_ratio', 'number', opt),
      e,
      g,
      shortcut,
    ],
    // ultralytics' parse_model appends (residual=True, mlp_ratio=1.2) at scales l and x
    buildArgs: (a, ctx) => (ctx.scale !== undefined && 'lx'.includes(ctx.scale) ? [...a, true, 1.2] : [...a]),
    modernHead: true,
    create: (...a) => new A2C2f(...(a as ConstructorParameters<typeof A2C2f>)),
    examples: [
      { args: [64, 64, 1, true, 4, true], input: [2, 4, 4, 64], label: 'area attention, 4 areas, residual' },
      { args: [32, 64, 1, false, -1], input: [2, 4, 4, 32], label: 'C3k blocks' },
    ],
  },
  {
    name: 'Detect',
    rule: 'detect',
    package: PKG,
    summary: 'anchor-free detection head: DFL (reg_max) or direct boxes, legacy or depthwise class branch, optional end-to-end top-k',
    // the detect rule appends the YAML's top-level reg_max and end2end and the input widths; the build adds legacy
    signature: [arg('nc', 'int', { min: 1 }), arg('reg_max', 'int', { min: 1 }), arg('end2end', 'bool'), arg('ch', 'int[]'), arg('legacy', 'bool', opt)],
    buildArgs: (a, ctx) => (a[4] !== undefined ? [...a] : [...a.slice(0, 4), ctx.legacyHead]),
    create: (...a) => new Detect(...(a as ConstructorParameters<typeof Detect>)),
    examples: [
      { args: [3, 16, false, [16, 32], true], input: [[2, 8, 8, 16], [2, 4, 4, 32]], output: [2, 7, 80], label: 'nc 3, DFL, legacy head' },
      { args: [3, 1, false, [16, 32], false], input: [[2, 8, 8, 16], [2, 4, 4, 32]], output: [2, 7, 80], label: 'reg_max 1, depthwise class branch' },
      { args: [3, 1, true, [16, 32], false], input: [[2, 8, 8, 16], [2, 4, 4, 32]], output: [2, 80, 6], label: 'end2end top-k' },
    ],
  },
];
