import type { ScaffoldContext } from './context.js';

/** The FLOP rule as the starter's comments state it (comment lines, without the leading ` * `). */
const FLOP_NOTE = [
  'Core layers count their own FLOPs; an op you apply to activations yourself reports its multiply-accumulates',
  "with `countMacs(macs, kind)` (kind 'conv' for a convolution, 'matmul' for a matrix product, 'other' for the",
  'rest), guarded by `isCountingMacs()`: the FLOP rule in docs/design.md.',
].join('\n * ');

/** src/<name>.ts for the conv and fixed rules: a Conv-compatible conv -> BatchNorm2d -> activation block. */
function convModule(ctx: ScaffoldContext): string {
  const { token } = ctx;
  const yaml =
    ctx.rule === 'fixed'
      ? ' Its spec declares the `fixed` rule: in a YAML row `[from, 1, ' + token + ', [c2, k, s]]` c2 is taken as written, never\n * scaled by the model width.'
      : ' Its spec declares the `conv` rule, so it drops in for `Conv` in a YAML row.';
  return `import { autopad, BatchNorm2d, checkIntArgs, Conv2d, ConvNormAct, resolveAct, type Module } from '@plugconv/core';

/**
 * ${token}(c1, c2, k=1, s=1, p=null, g=1, d=1, act=true): the starter \`pnpm gen module\` wrote, a block with
 * ultralytics' Conv arguments and state-dict keys: conv (no bias) -> BatchNorm2d -> activation.${yaml}
 *
 * It is core's {@link ConvNormAct}: \`forward\` runs conv, BatchNorm (until folded) and the activation, and \`fuse()\`
 * (which \`fuse(model)\` and \`deploy(model)\` call) folds the BatchNorm into the conv. Replace the convolution with
 * your module's (any layer a BatchNorm folds into) and override \`forward\` if your block computes more. Tensors
 * are NHWC inside, state dicts are in PyTorch layout with the reference implementation's key names.
 * ${FLOP_NOTE}
 */
export class ${token} extends ConvNormAct<Conv2d> {
  /** The activation: the model's default (SiLU unless the YAML sets \`activation:\`) when act is true. */
  declare readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true) {
    checkIntArgs('${token}', { c1, c2, k, s, g, d });
    if (c1 % g !== 0 || c2 % g !== 0) throw new Error(\`${token}: c1 \${c1} and c2 \${c2} must be divisible by g \${g}\`);
    // PyTorch's nn.Conv2d(c1, c2, k, s, autopad(k, p, d), d, g, bias=False), then BatchNorm2d(c2) (eps 1e-3, momentum 0.03)
    super(new Conv2d(c1, c2, k, { stride: s, padding: autopad(k, p, d), groups: g, dilation: d }), new BatchNorm2d(c2), resolveAct(act));
  }
}
`;
}

/** src/<name>.ts for the repeat rule: a C2f variant built on core's C2fBase with its own inner block. */
function repeatModule(ctx: ScaffoldContext): string {
  const { token } = ctx;
  const block = `${token}Block`;
  return `import { BottleneckBase, C2fBase, checkIntArgs, Conv } from '@plugconv/core';

/**
 * The block ${token} chains on its second half (the starter \`pnpm gen module\` wrote): core's
 * {@link BottleneckBase} with cv1 Conv(c1, c2, 3) and cv2 Conv(c2, c2, 3, g), plus the input when \`shortcut\` and
 * c1 == c2, i.e. ultralytics' Bottleneck with e = 1. Replace it with your block; keep the reference
 * implementation's child names so state-dict keys match.
 * ${FLOP_NOTE}
 */
export class ${block} extends BottleneckBase<Conv, Conv> {
  constructor(c1: number, c2: number, shortcut = true, g = 1) {
    super(new Conv(c1, c2, 3, 1), new Conv(c2, c2, 3, 1, null, g), shortcut && c1 === c2);
  }
}

/**
 * ${token}(c1, c2, n=1, shortcut=false, g=1, e=0.5): the C2f skeleton with n {@link ${block}}s. cv1 Conv(c1, 2c, 1)
 * splits into two halves, the blocks run in a chain on the second, every output is concatenated and cv2
 * Conv((2 + n)c, c2, 1) mixes them, c = int(c2 * e). Its spec declares the \`repeat\` rule: a YAML row's repeat
 * count becomes n. With the starter block it equals ultralytics' C2f key for key (cv1.*, cv2.*, m.<i>.cv1.*, ...).
 */
export class ${token} extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5) {
    checkIntArgs('${token}', { c1, c2, n, g });
    if (!(e > 0) || Math.trunc(c2 * e) < 1) throw new Error(\`${token}: e must leave at least one hidden channel (int(c2 * e) >= 1), got c2 \${c2}, e \${e}\`);
    super(c1, c2, n, e, (c) => new ${block}(c, c, shortcut, g));
  }
}
`;
}

/** src/<name>.ts: the starter module for the rule. */
export function moduleSource(ctx: ScaffoldContext): string {
  return ctx.rule === 'repeat' ? repeatModule(ctx) : convModule(ctx);
}

/** The starter's one-line summary for `plugconv modules`. */
export function summary(ctx: ScaffoldContext): string {
  switch (ctx.rule) {
    case 'conv':
      return 'starter from pnpm gen module: conv -> BatchNorm2d -> SiLU with Conv arguments (describe your module here)';
    case 'fixed':
      return 'starter from pnpm gen module: conv -> BatchNorm2d -> SiLU, channels as written (describe your module here)';
    case 'repeat':
      return 'starter from pnpm gen module: C2f skeleton with its own inner block (describe your module here)';
  }
}

/** src/spec.ts: the package's ModuleSpec[] (the YAML token, its channel rule and signature). */
export function specSource(ctx: ScaffoldContext): string {
  // Conv's or C2f's arguments, as core declares them for every Conv/C2f-compatible module
  const signature = ctx.rule === 'repeat' ? 'C2F_ARGS' : 'CONV_ARGS';
  // (c1, c2, k, s) for the conv and fixed rules, (c1, c2, n, shortcut) for repeat
  const example = ctx.rule === 'repeat' ? '[8, 16, 1, true]' : '[8, 16, 3, 1]';
  return `import { ${signature}, type ModuleSpec } from '@plugconv/core';
import { ${ctx.token} } from './${ctx.name}.js';

const PKG = '${ctx.packageName}';

/**
 * The YAML tokens this package registers (\`@plugconv/yolo\`'s registry imports them), with their channel rule
 * and constructor signature (c1 first).
 */
export const modules: ModuleSpec[] = [
  {
    name: '${ctx.token}',
    rule: '${ctx.rule}',
    package: PKG,
    summary: '${summary(ctx)}',
    signature: ${signature},
    create: (...a) => new ${ctx.token}(...(a as ConstructorParameters<typeof ${ctx.token}>)),
    // small instances the module contract (@plugconv/yolo's contract test) builds and checks: c1 first, NHWC input
    examples: [{ args: ${example}, input: [2, 8, 8, 8] }],
  },
];
`;
}

/** src/index.ts: the module classes and \`modules\`, which @plugconv/yolo's registry imports. */
export function indexSource(ctx: ScaffoldContext): string {
  return `/**
 * ${ctx.packageName}: ${ctx.token} for YOLOv8 in TensorFlow.js (scaffolded by \`pnpm gen module ${ctx.name}\`).
 * @packageDocumentation
 */
export * from './${ctx.name}.js';
export { modules } from './spec.js';
`;
}
