import type { ScaffoldContext } from './context.js';

/** src/<name>.ts for the conv and fixed rules: a Conv-compatible conv -> BatchNorm2d -> activation block. */
function convModule(ctx: ScaffoldContext): string {
  const { token } = ctx;
  const yaml =
    ctx.rule === 'fixed'
      ? ' Its spec declares the `fixed` rule: in a YAML row `[from, 1, ' + token + ', [c2, k, s]]` c2 is taken as written, never\n * scaled by the model width.'
      : ' Its spec declares the `conv` rule, so it drops in for `Conv` in a YAML row.';
  return `import type * as tf from '@tensorflow/tfjs-core';
import { autopad, BatchNorm2d, Conv2d, foldBatchNorm, Module, resolveAct, type Fusable } from '@plugconv/core';

/**
 * ${token}(c1, c2, k=1, s=1, p=null, g=1, d=1, act=true): the starter \`pnpm gen module\` wrote, a block with
 * ultralytics' Conv arguments and state-dict keys: conv (no bias) -> BatchNorm2d -> activation.${yaml}
 *
 * Replace the layers and {@link ${token}.forward} with your module's. Tensors are NHWC inside, state dicts are in
 * PyTorch layout with the reference implementation's key names. Core layers count their own FLOPs; an op you
 * apply to activations yourself must call \`countMacs\` (guarded by \`isCountingMacs()\`): the FLOP rule in
 * docs/design.md.
 */
export class ${token} extends Module implements Fusable {
  /** The convolution: PyTorch's nn.Conv2d(c1, c2, k, s, autopad(k, p, d), d, g, bias=False). */
  readonly conv: Conv2d;
  /** BatchNorm2d(c2) with YOLO's eps 1e-3 and momentum 0.03; null once fused. */
  bn: BatchNorm2d | null;
  /** The activation: the model's default (SiLU unless the YAML sets \`activation:\`) when act is true. */
  readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true) {
    super();
    checkSizes('${token}', { c1, c2, k, s, g, d });
    if (c1 % g !== 0 || c2 % g !== 0) throw new Error(\`${token}: c1 \${c1} and c2 \${c2} must be divisible by g \${g}\`);
    this.conv = this.addModule('conv', new Conv2d(c1, c2, k, { stride: s, padding: autopad(k, p, d), groups: g, dilation: d }));
    this.bn = this.addModule('bn', new BatchNorm2d(c2));
    this.act = this.addModule('act', resolveAct(act));
  }

  /** (N, H, W, c1) -> (N, H', W', c2), NHWC. */
  forward(x: tf.Tensor): tf.Tensor {
    const y = this.conv.forward(x);
    return this.act.forward(this.bn ? this.bn.forward(y) : y);
  }

  /** Folds the BatchNorm into the conv for inference (\`fuse(model)\` and \`deploy(model)\` call it). */
  fuse(): void {
    if (!this.bn) return;
    foldBatchNorm(this.conv, this.bn);
    this.conv.requiresGrad(false);
    this.bn.dispose();
    this.bn = null;
    this.setModule('bn', null);
  }
}

/** Throws an error naming the module and the argument when a size is not a positive integer. */
function checkSizes(module: string, sizes: Record<string, number>): void {
  for (const [name, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(\`\${module}: \${name} must be a positive integer, got \${JSON.stringify(v)}\`);
  }
}
`;
}

/** src/<name>.ts for the repeat rule: a C2f variant built on core's C2fBase with its own inner block. */
function repeatModule(ctx: ScaffoldContext): string {
  const { token } = ctx;
  const block = `${token}Block`;
  return `import * as tf from '@tensorflow/tfjs-core';
import { C2fBase, Conv, Module } from '@plugconv/core';

/**
 * The block ${token} chains on its second half (the starter \`pnpm gen module\` wrote): cv1 Conv(c1, c2, 3), cv2
 * Conv(c2, c2, 3, g), plus the input when \`shortcut\` and c1 == c2, i.e. ultralytics' Bottleneck with e = 1.
 * Replace it with your block; keep the reference implementation's child names so state-dict keys match.
 */
export class ${block} extends Module {
  /** First 3x3 Conv. */
  readonly cv1: Conv;
  /** Second 3x3 Conv, grouped by g. */
  readonly cv2: Conv;
  /** Whether the input is added to the output. */
  readonly add: boolean;

  constructor(c1: number, c2: number, shortcut = true, g = 1) {
    super();
    this.cv1 = this.addModule('cv1', new Conv(c1, c2, 3, 1));
    this.cv2 = this.addModule('cv2', new Conv(c2, c2, 3, 1, null, g));
    this.add = shortcut && c1 === c2;
  }

  /** (N, H, W, c1) -> (N, H, W, c2), NHWC. */
  forward(x: tf.Tensor): tf.Tensor {
    const y = this.cv2.forward(this.cv1.forward(x));
    return this.add ? tf.add(x, y) : y;
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
    checkSizes('${token}', { c1, c2, n, g });
    if (!(e > 0) || Math.trunc(c2 * e) < 1) throw new Error(\`${token}: e must leave at least one hidden channel (int(c2 * e) >= 1), got c2 \${c2}, e \${e}\`);
    super(c1, c2, n, e, (c) => new ${block}(c, c, shortcut, g));
  }
}

/** Throws an error naming the module and the argument when a size is not a positive integer. */
function checkSizes(module: string, sizes: Record<string, number>): void {
  for (const [name, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(\`\${module}: \${name} must be a positive integer, got \${JSON.stringify(v)}\`);
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
