import { arg, C3K2_FAMILY, CHANNELS, type ModuleSpec } from '@plugconv/core';
import { RepGhostModule } from './repghost-module.js';
import { RepGhostBottleneck } from './repghost-bottleneck.js';
import { C2f_RepGhost } from './c2f-repghost.js';
import { C3k2_RepGhost } from './c3k2-repghost.js';

const PKG = '@plugconv/repghost';
const opt = { optional: true };
const bool = (name: string) => arg(name, 'bool', opt);

/** The YAML tokens this package registers. */
export const modules: ModuleSpec[] = [
  {
    name: 'C2f_RepGhost',
    rule: 'repeat',
    package: PKG,
    summary: 'C2f whose bottlenecks are RepGhostBottleneck(c, c, c); switchToDeploy() folds their BN branches',
    signature: [...CHANNELS, arg('n', 'int', opt), bool('shortcut'), arg('g', 'int', opt), arg('e', 'number', opt)],
    create: (...a) => new C2f_RepGhost(...(a as ConstructorParameters<typeof C2f_RepGhost>)),
    examples: [{ args: [8, 16, 1, true], input: [2, 8, 8, 8] }],
  },
  {
    name: 'RepGhostModule',
    rule: 'conv',
    package: PKG,
    summary: 'RepGhost module: 1x1 conv -> BN -> SiLU, then SiLU(depthwise conv + BN branch), re-parameterisable',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('dw_size', 'int', opt), arg('s', 'int', opt), bool('relu'), bool('deploy'), bool('reparam_bn'), bool('reparam_identity')],
    create: (...a) => new RepGhostModule(...(a as ConstructorParameters<typeof RepGhostModule>)),
    examples: [{ args: [8, 16], input: [2, 8, 8, 8] }],
  },
  {
    name: 'RepGhostBottleneck',
    rule: 'conv',
    package: PKG,
    summary: 'RepGhost bottleneck (c1, mid = c2, c2): two RepGhostModules, stride-2 depthwise conv, optional SE, shortcut',
    signature: [...CHANNELS, arg('k', 'int', opt), arg('s', 'int', opt), arg('se_ratio', 'number', { optional: true, nullable: true }), bool('shortcut')],
    create: (c1: number, c2: number, k?: number, s?: number, se?: number | null, shortcut?: boolean) => new RepGhostBottleneck(c1, c2, c2, k, s, se ?? 0, shortcut),
    examples: [
      { args: [16, 16, 3, 1, 0.25, true], input: [2, 8, 8, 16], label: 'SE, shortcut' },
      { args: [8, 16, 3, 2], input: [2, 8, 8, 8], label: 'stride 2' },
    ],
  },
  {
    name: 'C3k2_RepGhost',
    ...C3K2_FAMILY,
    package: PKG,
    summary: 'C3k2 whose bottlenecks (direct, inside C3k, before PSABlock) are RepGhostBottleneck(c, c, c); switchToDeploy() folds their BN branches',
    create: (...a) => new C3k2_RepGhost(...(a as ConstructorParameters<typeof C3k2_RepGhost>)),
  },
];
