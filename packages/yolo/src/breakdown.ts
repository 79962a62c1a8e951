import * as tf from '@tensorflow/tfjs-core';
import { AAttn, Attention, BatchNorm2d, CONCAT_CHANNELS_KERNEL, ConvNormAct, Detect, SPLIT_CHANNELS_KERNEL, type DetectionModel } from '@plugconv/core';

/**
 * Where a forward's time goes, by kind of block. Convolutions are counted as convolutions wherever they run (the
 * attention's qkv/proj/pe and the head's branches included); the attention's other kernels (matrix products,
 * softmax, reshapes, transposes, its scale) are `attention`; the Detect head's kernels that are not
 * convolutions or a Conv block's activation (the concat of the levels, DFL, anchors, box decode, score sigmoid)
 * are `head decode`; an end2end head's top-k is `postprocess` (NMS is not part of the forward: predict runs it
 * after); a BatchNorm's arithmetic (as built; fuse() and deploy() fold it into the conv) is `batchnorm`.
 * `outside kernels` is the forward's wall time no kernel accounts for.
 */
export const BREAKDOWN_KINDS = [
  'conv',
  'depthwise conv',
  'attention',
  'split/concat',
  'activation',
  'batchnorm',
  'add',
  'upsample/pool',
  'head decode',
  'postprocess',
  'other',
  'outside kernels',
] as const;
/** A kind of work a forward's time is split into (one of {@link BREAKDOWN_KINDS}). */
export type BreakdownKind = (typeof BREAKDOWN_KINDS)[number];

/**
 * The kind of each tfjs kernel by name, where no module scope decides (see {@link kernelKind}). `Multiply` is an
 * activation because SiLU (x * sigmoid(x)) is where the networks multiply outside attention and the head. Kernels
 * mapped to `other` are known (reshapes, casts, index arithmetic); a name missing here is unknown and is listed.
 */
export const KERNEL_KINDS: Readonly<Record<string, BreakdownKind>> = {
  Conv2D: 'conv',
  FusedConv2D: 'conv',
  DepthwiseConv2dNative: 'depthwise conv',
  FusedDepthwiseConv2D: 'depthwise conv',
  BatchMatMul: 'attention',
  _FusedMatMul: 'attention',
  Softmax: 'attention',
  Concat: 'split/concat',
  SplitV: 'split/concat',
  Slice: 'split/concat',
  StridedSlice: 'split/concat',
  Pack: 'split/concat',
  Unpack: 'split/concat',
  [CONCAT_CHANNELS_KERNEL]: 'split/concat',
  [SPLIT_CHANNELS_KERNEL]: 'split/concat',
  Sigmoid: 'activation',
  Multiply: 'activation',
  Relu: 'activation',
  Relu6: 'activation',
  LeakyRelu: 'activation',
  Prelu: 'activation',
  Elu: 'activation',
  Selu: 'activation',
  Tanh: 'activation',
  Softplus: 'activation',
  Add: 'add',
  AddN: 'add',
  MaxPool: 'upsample/pool',
  AvgPool: 'upsample/pool',
  ResizeNearestNeighbor: 'upsample/pool',
  ResizeBilinear: 'upsample/pool',
  TopK: 'postprocess',
  NonMaxSuppressionV3: 'postprocess',
  NonMaxSuppressionV4: 'postprocess',
  NonMaxSuppressionV5: 'postprocess',
  Reshape: 'other',
  Transpose: 'other',
  Identity: 'other',
  Cast: 'other',
  ExpandDims: 'other',
  Squeeze: 'other',
  Range: 'other',
  Tile: 'other',
  Fill: 'other',
  ZerosLike: 'other',
  OnesLike: 'other',
  GatherV2: 'other',
  GatherNd: 'other',
  Select: 'other',
  Sub: 'other',
  RealDiv: 'other',
  FloorDiv: 'other',
  Mod: 'other',
  Max: 'other',
  Min: 'other',
  Maximum: 'other',
  Minimum: 'other',
  Exp: 'other',
  Sqrt: 'other',
  Rsqrt: 'other',
  Square: 'other',
  Neg: 'other',
  Abs: 'other',
  Log: 'other',
  Pow: 'other',
  Reverse: 'other',
  PadV2: 'other',
  MirrorPad: 'other',
  Floor: 'other',
  Greater: 'other',
  Less: 'other',
  Equal: 'other',
  LogicalAnd: 'other',
  FusedBatchNorm: 'batchnorm',
  Sum: 'other',
  Mean: 'other',
  ArgMax: 'other',
};

/** The module a kernel runs in, innermost first: what decides a kernel's kind before its name does. */
export type KernelScope = 'block' | 'batchnorm' | 'attention' | 'head' | 'postprocess' | null;

const CONV_KINDS: readonly BreakdownKind[] = ['conv', 'depthwise conv'];

/**
 * A kernel's kind: inside an end2end head's postprocess everything is `postprocess`, inside a BatchNorm
 * `batchnorm`; inside the Detect head or an
 * attention module, convolutions stay convolutions and the rest is `head decode` / `attention`; inside a Conv
 * block (its conv, BN, activation) and outside any such module the name decides ({@link KERNEL_KINDS}, `other`
 * when unknown). `known` is false for a name {@link KERNEL_KINDS} lacks.
 */
export function kernelKind(
  name: string,
  scope: KernelScope = null,
): {
  /** The kind the kernel's time goes to. */
  kind: BreakdownKind;
  /** Whether {@link KERNEL_KINDS} names the kernel. */
  known: boolean;
} {
  const byName = KERNEL_KINDS[name];
  const known = byName !== undefined;
  const kind = byName ?? 'other';
  if (scope === 'postprocess' || scope === 'batchnorm') return { kind: scope, known };
  if (scope === 'head' && !CONV_KINDS.includes(kind)) return { kind: 'head decode', known };
  if (scope === 'attention' && !CONV_KINDS.includes(kind)) return { kind: 'attention', known };
  return { kind, known };
}

/**
 * One entry of tf.profile's kernel list with where it ran: a registered kernel (`custom: false`), or a custom-gradient
 * wrapper (tfjs' fused ops run their kernel inside one, named after the op, e.g. `fusedConv2d__op`), with the
 * kernels run inside it.
 */
export interface ProfiledKernel {
  /** The kernel's name (`FusedConv2D`), or the op scope a custom-gradient wrapper ran in. */
  name: string;
  /** A custom-gradient wrapper rather than a registered kernel. */
  custom: boolean;
  /** The innermost scoped module it ran in. */
  scope: KernelScope;
  /** The engine's time for this entry, milliseconds (children included). */
  timeMs: number;
  /** Entries that ran inside this one (a custom-gradient wrapper's kernels). */
  children: ProfiledKernel[];
}

/** Time per kind of block for one forward (means over the profiled forwards). */
export interface Breakdown {
  /** Wall time of a profiled forward (output read back), milliseconds. */
  forwardMs: number;
  /** The kernels' time (tf.profile's, nested kernels counted once), milliseconds. */
  kernelMs: number;
  /** Milliseconds per kind, {@link BREAKDOWN_KINDS} in order; they sum to forwardMs. */
  ms: Record<BreakdownKind, number>;
  /** Percent of forwardMs per kind; they sum to 100. */
  percent: Record<BreakdownKind, number>;
  /** Kernel runs per kind (custom-gradient wrappers not counted; `outside kernels` 0). */
  counts: Record<BreakdownKind, number>;
  /** The kernels that went to `other`, milliseconds each, largest first. */
  other: Record<string, number>;
  /** Kernel names {@link KERNEL_KINDS} does not know (counted as `other`). */
  unknownKernels: string[];
  /** tf.profile entries per forward (kernels and custom-gradient wrappers). */
  profiledEntries: number;
  /** Profiled forwards averaged. */
  forwards: number;
}

const zeros = (): Record<BreakdownKind, number> => Object.fromEntries(BREAKDOWN_KINDS.map((k) => [k, 0])) as Record<BreakdownKind, number>;

/** The kind of a wrapper: that of the first registered kernel inside it, else of its own name. */
function kindOfEntry(k: ProfiledKernel): { kind: BreakdownKind; known: boolean } {
  if (k.custom) {
    const inner = k.children.find((c) => !c.custom) ?? k.children[0];
    if (inner) return kindOfEntry(inner);
  }
  return kernelKind(k.name, k.scope);
}

/**
 * Attributes profiled kernels of `forwards` forwards that took `forwardMs` in all: each entry's own time (its time
 * less its children's) goes to its kind, so nested kernels are counted once; `outside kernels` is the rest of
 * the wall time. Pure: the figures are what the entries say.
 */
export function attributeKernels(roots: readonly ProfiledKernel[], forwardMs: number, forwards = 1): Breakdown {
  const ms = zeros();
  const counts = zeros();
  const other: Record<string, number> = {};
  const unknown = new Set<string>();
  let entries = 0;
  const visit = (k: ProfiledKernel): void => {
    entries++;
    const { kind, known } = kindOfEntry(k);
    const own = k.timeMs - k.children.reduce((a, c) => a + c.timeMs, 0);
    ms[kind] += own;
    if (!k.custom) counts[kind]++;
    if (!known && !k.custom) unknown.add(k.name);
    if (kind === 'other' && !k.custom) other[k.name] = (other[k.name] ?? 0) + own;
    k.children.forEach(visit);
  };
  roots.forEach(visit);
  const kernelMs = roots.reduce((a, k) => a + k.timeMs, 0);
  ms['outside kernels'] = forwardMs - kernelMs;
  const per = (v: number) => v / forwards;
  const msPer = Object.fromEntries(BREAKDOWN_KINDS.map((k) => [k, per(ms[k])])) as Record<BreakdownKind, number>;
  return {
    forwardMs: per(forwardMs),
    kernelMs: per(kernelMs),
    ms: msPer,
    percent: Object.fromEntries(BREAKDOWN_KINDS.map((k) => [k, forwardMs > 0 ? (100 * ms[k]) / forwardMs : 0])) as Record<BreakdownKind, number>,
    counts: Object.fromEntries(BREAKDOWN_KINDS.map((k) => [k, per(counts[k])])) as Record<BreakdownKind, number>,
    other: Object.fromEntries(Object.entries(other).map(([n, v]) => [n, per(v)] as const).sort((a, b) => b[1] - a[1])),
    unknownKernels: [...unknown].sort(),
    profiledEntries: per(entries),
    forwards,
  };
}

type Method = (...args: unknown[]) => unknown;

/**
 * Runs `fn` with the methods that open a scope wrapped (Conv blocks, BatchNorm, Attention and AAttn, the Detect
 * head and its postprocess) and the engine's kernel entry point hooked, and returns the kernel tree in the order tf.profile
 * lists its entries (an entry is listed when it finishes). Everything is restored afterwards.
 */
async function traceKernels<T>(fn: () => Promise<T>): Promise<{ result: T; order: ProfiledKernel[]; roots: ProfiledKernel[] }> {
  const scopes: KernelScope[] = [];
  const restore: (() => void)[] = [];
  const wrap = (proto: object, method: string, scope: KernelScope) => {
    const p = proto as Record<string, Method>;
    const original = p[method];
    if (typeof original !== 'function') return;
    p[method] = function (this: unknown, ...a: unknown[]) {
      scopes.push(scope);
      try {
        return original.apply(this, a);
      } finally {
        scopes.pop();
      }
    };
    restore.push(() => (p[method] = original));
  };
  const engine = tf.engine() as unknown as { runKernelFunc: (params: { kernelName?: string; forwardFunc?: unknown }) => unknown; state: { activeScope?: { name: string } } };
  const order: ProfiledKernel[] = [];
  const roots: ProfiledKernel[] = [];
  const open: ProfiledKernel[][] = [];
  try {
    wrap(ConvNormAct.prototype, 'forward', 'block');
    wrap(BatchNorm2d.prototype, 'forward', 'batchnorm');
    wrap(Attention.prototype, 'forward', 'attention');
    wrap(AAttn.prototype, 'forward', 'attention');
    wrap(Detect.prototype, 'forward', 'head');
    wrap(Detect.prototype, 'postprocess', 'postprocess');
    const run = engine.runKernelFunc;
    engine.runKernelFunc = function (params) {
      const children: ProfiledKernel[] = [];
      const custom = params.kernelName == null;
      // a custom-gradient wrapper is listed under the scope (the op) it runs in, as tf.profile names it
      const name = params.kernelName ?? engine.state.activeScope?.name ?? '';
      const scope = scopes.at(-1) ?? null;
      open.push(children);
      try {
        return run.call(engine, params);
      } finally {
        open.pop();
        const k: ProfiledKernel = { name, custom, scope, timeMs: 0, children };
        order.push(k);
        (open.at(-1) ?? roots).push(k);
      }
    };
    restore.push(() => (engine.runKernelFunc = run));
    return { result: await fn(), order, roots };
  } finally {
    for (const r of restore.reverse()) r();
  }
}

/**
 * Time per kind of block of `model`'s eval forward on `x`, from tf.profile over `forwards` forwards (run it after a
 * warm-up forward). tf.profile times each kernel with the backend's timer: on wasm and cpu that is the wall time
 * around the synchronous kernel call (kernel work plus the backend's per-kernel JS: argument checks, output
 * allocation), so the figures are real time, but the op-level JS before a kernel (tf.* wrappers, shape checks),
 * the module code and the engine's bookkeeping, tf.profile's own record per kernel included, are `outside kernels`;
 * a profiled forward is therefore somewhat slower than a timed one, and the percentages are of the profiled
 * forward. tf.profile names kernels, not modules: the module a kernel ran in is found by wrapping the forward of
 * Conv blocks, BatchNorm, Attention/AAttn and Detect (other modules' kernels go by their name). On asynchronous backends
 * (webgl, webgpu) the kernel times would be GPU timer queries instead: not comparable; Node has wasm and cpu only.
 */
export async function profileBreakdown(model: DetectionModel, x: tf.Tensor, forwards = 3): Promise<Breakdown> {
  model.eval();
  const roots: ProfiledKernel[] = [];
  let forwardMs = 0;
  for (let i = 0; i < forwards; i++) {
    let wall = 0;
    const traced = await traceKernels(() =>
      tf.profile(async () => {
        const t0 = performance.now();
        const y = model.predict(x);
        try {
          await y.data();
        } finally {
          y.dispose();
        }
        wall = performance.now() - t0;
      }),
    );
    const kernels = traced.result.kernels;
    if (kernels.length !== traced.order.length) {
      throw new Error(`profileBreakdown: tf.profile listed ${kernels.length} kernels, the engine ran ${traced.order.length}; cannot tell which module ran which`);
    }
    traced.order.forEach((k, j) => {
      if (kernels[j]!.name !== k.name) throw new Error(`profileBreakdown: tf.profile's entry ${j} is ${kernels[j]!.name}, the engine ran ${k.name}`);
      k.timeMs = kernels[j]!.kernelTimeMs as number;
    });
    roots.push(...traced.roots);
    forwardMs += wall;
  }
  return attributeKernels(roots, forwardMs, forwards);
}
