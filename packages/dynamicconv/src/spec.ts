import { arg, CHANNELS, CONV_ARGS, C2F_ARGS, C3K2_FAMILY, type ModuleSpec } from '@plugconv/core';
import { DynamicConv2d } from './dynamic-conv2d.js';
import { DynamicConv } from './dynamic-conv.js';
import { C2f_DynamicConv } from './c2f-dynamic-conv.js';
import { C2f_GhostModule_DynamicConv } from './ghost-module.js';
import { C3k2_DynamicConv, C3k2_GhostModule_DynamicConv } from './c3k2-dynamic-conv.js';

const PKG = '@plugconv/dynamicconv';
const opt = { optional: true };
const experts = arg('experts', 'int', opt);
const c2fArgs = [...C2F_ARGS, experts];

/** The YAML tokens this package registers. */
export const modules: ModuleSpec[] = [
  {
    name: 'DynamicConv2d',
    rule: 'conv',
    package: PKG,
    summary: 'bare dynamic convolution (CondConv): per-sample kernel = sigmoid(Linear(GAP(x))) @ experts, no BN or activation',
    signature: [
      ...CHANNELS,
      arg('k', 'int', opt),
      arg('s', 'int', opt),
      arg('p', 'int', { optional: true, nullable: true }),
      arg('d', 'int', opt),
      arg('g', 'int', opt),
      arg('bias', 'bool', opt),
      experts,
    ],
    create: (...a) => new DynamicConv2d(...(a as ConstructorParameters<typeof DynamicConv2d>)),
    examples: [
      { args: [8, 16, 3, 1, null, 1, 1, true, 4], input: [2, 8, 8, 8], label: 'bias, 4 experts' },
      { args: [8, 8, 3, 2, null, 1, 8, false, 2], input: [2, 8, 8, 8], label: 'depthwise, stride 2, 2 experts' },
    ],
  },
  {
    name: 'DynamicConv',
    rule: 'conv',
    package: PKG,
    summary: 'ParameterNet dynamic convolution -> BatchNorm2d -> SiLU, a drop-in for Conv (more parameters, same GFLOPs)',
    signature: [
      ...CONV_ARGS,
      experts,
    ],
    create: (...a) => new DynamicConv(...(a as ConstructorParameters<typeof DynamicConv>)),
    examples: [{ args: [8, 16, 3, 1], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C2f_DynamicConv',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f whose bottlenecks use two 3x3 DynamicConvs',
    signature: c2fArgs,
    create: (...a) => new C2f_DynamicConv(...(a as ConstructorParameters<typeof C2f_DynamicConv>)),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C2f_GhostModule_DynamicConv',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f whose inner blocks are GhostModules built from dynamic convolutions (ReLU)',
    signature: c2fArgs,
    create: (...a) => new C2f_GhostModule_DynamicConv(...(a as ConstructorParameters<typeof C2f_GhostModule_DynamicConv>)),
    examples: [{ args: [8, 16, 1], input: [2, 8, 8, 8] }],
  },
  {
    name: 'C3k2_DynamicConv',
    ...C3K2_FAMILY,
    package: PKG,
    summary: 'C3k2 whose bottlenecks (direct, inside C3k, before PSABlock) use two 3x3 DynamicConvs',
    create: (...a) => new C3k2_DynamicConv(...(a as ConstructorParameters<typeof C3k2_DynamicConv>)),
  },
  {
    name: 'C3k2_GhostModule_DynamicConv',
    ...C3K2_FAMILY,
    package: PKG,
    summary: 'C3k2 whose inner blocks (direct, inside C3k, before PSABlock) are GhostModules built from dynamic convolutions',
    create: (...a) => new C3k2_GhostModule_DynamicConv(...(a as ConstructorParameters<typeof C3k2_GhostModule_DynamicConv>)),
  },
];
