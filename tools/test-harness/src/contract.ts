// The module contract: what every registered YAML token must satisfy, checked on the small examples its spec
// declares (ModuleSpec.examples). @plugconv/yolo's contract test runs every check on every token of its registry,
// so a package made by `pnpm gen module` is covered as soon as it registers. Each check throws a
// ContractViolation naming the token, the example and what broke, or returns what it measured.
import * as tf from '@tensorflow/tfjs-core';
import {
  checkArgs,
  compareArrays,
  countingMacs,
  deploy,
  fuse,
  isFusable,
  numel,
  TOLERANCE,
  type BackendName,
  type MacsByKind,
  type Module,
  type ModuleExample,
  type ModuleSpec,
} from '@plugconv/core';
import { values } from './reference.js';

/** A module that breaks the contract: the message names the token, the example and the rule it breaks. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** One example of one registered token. */
export interface ContractCase {
  /** `Conv #2 (groups 2, stride 2, dilation 2)`: the token, the example's number and its label. */
  title: string;
  /** The token's spec. */
  spec: ModuleSpec;
  /** The example the checks build and run. */
  example: ModuleExample;
  /** Seed of the case's random inputs and states (from the title, so it does not move when tokens are added). */
  seed: number;
}

/** Every example of every spec as a case, and the tokens that declare none (the contract test fails on them). */
export function contractCases(specs: readonly ModuleSpec[]): {
  /** One case per declared example, in registry order. */
  cases: ContractCase[];
  /** Tokens without examples. */
  missing: string[];
} {
  const cases: ContractCase[] = [];
  const missing: string[] = [];
  for (const spec of specs) {
    const examples = spec.examples ?? [];
    if (!examples.length) missing.push(`${spec.name} (${spec.package})`);
    examples.forEach((example, i) => {
      const title = `${spec.name} #${i + 1}${example.label ? ` (${example.label})` : ''}`;
      cases.push({ title, spec, example, seed: hash(title) });
    });
  }
  return { cases, missing };
}

/** FNV-1a of a string, as a seed. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function violation(c: ContractCase, message: string): ContractViolation {
  return new ContractViolation(`${c.title} [${c.spec.package}]: ${message}`);
}

// ------------------------------------------------------------------------------------------------ running

/** The example's input shapes (one per input) and whether the module takes a list. */
function inputShapes(example: ModuleExample): { shapes: number[][]; list: boolean } {
  const list = Array.isArray(example.input[0]);
  return { shapes: list ? (example.input as number[][]) : [example.input as number[]], list };
}

/** Deterministic inputs in [-1, 1) for the example. */
function makeInputs(c: ContractCase, seed = c.seed): tf.Tensor | tf.Tensor[] {
  const { shapes, list } = inputShapes(c.example);
  const xs = shapes.map((shape, i) => tf.tensor(values(numel(shape), seed + 101 * i), shape));
  return list ? xs : xs[0]!;
}

function disposeAll(x: tf.Tensor | tf.Tensor[] | unknown): void {
  for (const t of tensorsOf(x)) t.dispose();
}

/** The tensors of a forward's result (a tensor or a list of them, as Detect returns while training). */
function tensorsOf(y: unknown): tf.Tensor[] {
  if (y instanceof tf.Tensor) return [y];
  if (Array.isArray(y) && y.every((t) => t instanceof tf.Tensor)) return y as tf.Tensor[];
  throw new Error(`forward returned ${typeof y}, not a tensor or a list of tensors`);
}

/** Builds the example's module; the constructor's error is re-thrown naming the case. */
function build(c: ContractCase): Module<any, any> {
  let m: Module<any, any>;
  try {
    m = c.spec.create(...c.example.args);
  } catch (e) {
    throw violation(c, `create(${c.example.args.map((a) => JSON.stringify(a)).join(', ')}) threw: ${(e as Error).message}`);
  }
  if (typeof m?.forward !== 'function' || typeof m?.namedSlots !== 'function') throw violation(c, 'create() did not return a Module');
  return m;
}

/** Builds the module, runs `fn` with it and disposes it (its variables) whatever happens. */
async function withModule<T>(c: ContractCase, fn: (m: Module<any, any>) => T | Promise<T>): Promise<T> {
  const m = build(c);
  try {
    return await fn(m);
  } finally {
    m.dispose();
  }
}

/** One forward inside tf.tidy, the outputs kept. */
function run(m: Module<any, any>, xs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return tensorsOf(tf.tidy(() => m.forward(xs)));
}

/**
 * Gives every parameter and buffer deterministic random values, through the state dict (PyTorch layout): conv and
 * linear weights uniform with a 1/sqrt(fan-in) scale, running variances in [0.5, 1.5), everything else in
 * [-0.5, 0.5). Fresh modules hold BatchNorm's identity statistics; random ones make folding and loading count.
 */
export function randomizeState(m: Module<any, any>, seed: number): void {
  const sd = m.stateDict();
  const next = new Map<string, tf.Tensor>();
  [...sd].forEach(([key, t], i) => {
    if (t.dtype !== 'float32') {
      next.set(key, t.clone());
      return;
    }
    const s = seed + 7919 * (i + 1);
    let v: Float32Array;
    if (key.endsWith('running_var')) v = values(t.size, s, 0.5, 1.5);
    else if (t.rank >= 2) {
      const scale = 1 / Math.sqrt(Math.max(1, t.size / t.shape[0]!));
      v = values(t.size, s, -scale, scale);
    } else v = values(t.size, s, -0.5, 0.5);
    next.set(key, tf.tensor(v, t.shape));
  });
  try {
    m.loadStateDict(next);
  } finally {
    for (const t of [...sd.values(), ...next.values()]) t.dispose();
  }
}

// ------------------------------------------------------------------------------------------------- checks

/** The example's arguments fit the spec's signature, its inputs fit the arguments, and the module builds. */
export async function checkBuild(c: ContractCase): Promise<{ parameters: number; stateKeys: number }> {
  const why = checkArgs(c.spec, c.example.args);
  if (why) throw violation(c, `the example's arguments do not fit the spec's signature: ${why}`);
  const { shapes, list } = inputShapes(c.example);
  if (shapes.some((s) => s.length !== 4 || s.some((d) => !Number.isInteger(d) || d < 1))) {
    throw violation(c, `input shapes must be NHWC, 4 positive integers each; got ${JSON.stringify(c.example.input)}`);
  }
  const a = c.example.args;
  const channels = shapes.map((s) => s[3]!);
  switch (c.spec.rule) {
    case 'conv':
    case 'repeat':
    case 'fixed':
    case 'same':
      if (list || shapes.length !== 1) throw violation(c, `a '${c.spec.rule}'-rule module takes one input, the example gives ${shapes.length}`);
      if (c.spec.rule !== 'same' && channels[0] !== a[0]) throw violation(c, `the input has ${channels[0]} channels but c1 (args[0]) is ${a[0]}`);
      break;
    case 'concat':
      if (!list) throw violation(c, "a 'concat'-rule module takes a list of inputs; give input as a list of shapes");
      break;
    case 'detect': {
      // the input widths are the signature's 'ch' argument (the detect rule appends them to the row's arguments)
      const at = c.spec.signature.findIndex((s) => s.name === 'ch');
      const ch = a[at < 0 ? a.length - 1 : at];
      if (!list || JSON.stringify(ch) !== JSON.stringify(channels)) {
        throw violation(c, `a 'detect'-rule module takes one input per channel count of its 'ch' argument (${JSON.stringify(ch)}); the inputs have ${JSON.stringify(channels)}`);
      }
      break;
    }
  }
  return withModule(c, (m) => ({ parameters: m.numParams(), stateKeys: m.namedSlots().length }));
}

/**
 * An eval forward gives finite values of the shape the channel rule promises: c2 = args[1] channels (conv,
 * repeat, fixed), the sum of the inputs' channels (concat), c1 (same), the batch kept; exactly
 * `example.output` when given (required for the detect rule, which promises no channel count).
 */
export async function checkForwardShape(c: ContractCase): Promise<{ output: number[][] }> {
  return withModule(c, (m) => {
    m.eval();
    const xs = makeInputs(c);
    const ys = run(m, xs);
    try {
      const { shapes } = inputShapes(c.example);
      const batch = shapes[0]![0]!;
      const y = ys[0]!;
      if (ys.length !== 1) throw violation(c, `an eval forward must return one tensor, got ${ys.length}`);
      const expectChannels = (want: number) => {
        if (y.rank !== 4 || y.shape[0] !== batch || y.shape[3] !== want) {
          throw violation(c, `the '${c.spec.rule}' rule promises a [${batch}, H, W, ${want}] output, got [${y.shape}]`);
        }
      };
      switch (c.spec.rule) {
        case 'conv':
        case 'repeat':
        case 'fixed':
          expectChannels(c.example.args[1] as number);
          break;
        case 'concat':
          expectChannels(shapes.reduce((n, s) => n + s[3]!, 0));
          if (y.shape[1] !== shapes[0]![1] || y.shape[2] !== shapes[0]![2]) throw violation(c, `concat changed the map size: [${y.shape}]`);
          break;
        case 'same':
          expectChannels(shapes[0]![3]!);
          break;
        case 'detect':
          if (!c.example.output) throw violation(c, "the 'detect' rule promises no channel count: declare the eval output shape in the example's `output`");
          break;
      }
      if (c.example.output && JSON.stringify(y.shape) !== JSON.stringify(c.example.output)) {
        throw violation(c, `the eval output is [${y.shape}], the example declares [${c.example.output}]`);
      }
      const bad = (y.dataSync() as Float32Array).findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw violation(c, `the eval output has a non-finite value at flat index ${bad}`);
      return { output: ys.map((t) => t.shape) };
    } finally {
      disposeAll(ys);
      disposeAll(xs);
    }
  });
}

/** PyTorch's state-dict key grammar: dotted attribute names (`model.2.m.0.cv1.conv.weight`). */
const TORCH_KEY = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

/**
 * stateDict() -> a fresh module -> loadStateDict() (strict) gives the same state dict, value for value, and the
 * same eval outputs bit for bit. Keys follow PyTorch's grammar, and the parameter keys hold exactly numParams()
 * elements. The source module's state is randomised first, buffers included, so a tensor kept outside the
 * state dict, or a layout that does not invert, shows.
 */
export async function checkStateDictRoundTrip(c: ContractCase): Promise<{ keys: number }> {
  return withModule(c, (a) =>
    withModule(c, (b) => {
      randomizeState(a, c.seed);
      const sd = a.stateDict();
      const xs = makeInputs(c);
      let ya: tf.Tensor[] = [];
      let yb: tf.Tensor[] = [];
      let sdb: Map<string, tf.Tensor> = new Map();
      try {
        const badKeys = [...sd.keys()].filter((k) => !TORCH_KEY.test(k));
        if (badKeys.length) throw violation(c, `state-dict keys that are not PyTorch attribute paths: ${badKeys.join(', ')}`);
        const paramKeys = new Set(a.namedParameters().map(([k]) => k));
        const inDict = [...sd].filter(([k]) => paramKeys.has(k)).reduce((n, [, t]) => n + t.size, 0);
        if (inDict !== a.numParams()) throw violation(c, `the state dict's parameters hold ${inDict} elements, numParams() says ${a.numParams()}`);
        try {
          b.loadStateDict(sd);
        } catch (e) {
          throw violation(c, `a fresh module refuses the state dict: ${(e as Error).message}`);
        }
        sdb = b.stateDict();
        const keysA = [...sd.keys()].join(',');
        if ([...sdb.keys()].join(',') !== keysA) throw violation(c, `the reloaded module's keys differ: [${[...sdb.keys()]}] vs [${[...sd.keys()]}]`);
        for (const [k, t] of sd) {
          const u = sdb.get(k)!;
          if (!sameValues(t.dataSync(), u.dataSync())) throw violation(c, `'${k}' changes in the round trip (stateDict -> loadStateDict -> stateDict)`);
        }
        a.eval();
        b.eval();
        ya = run(a, xs);
        yb = run(b, xs);
        ya.forEach((t, i) => {
          if (!sameValues(t.dataSync(), yb[i]!.dataSync())) {
            throw violation(c, 'a fresh module loaded with the state dict computes other outputs: some state lives outside the state dict');
          }
        });
        return { keys: sd.size };
      } finally {
        disposeAll([...sd.values(), ...sdb.values(), ...ya, ...yb]);
        disposeAll(xs);
      }
    }),
  );
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/** The parity tolerance of the active backend. */
function tolerance(): { atol: number; rtol: number } {
  return TOLERANCE[tf.getBackend() as BackendName] ?? TOLERANCE.cpu;
}

/**
 * Folding keeps eval outputs within the parity tolerance and never adds parameters: ultralytics-style `fuse`
 * (every Fusable module, the root included) on one copy, `deploy` (re-parameterisation, then fusing) on another,
 * both with random weights and BatchNorm statistics.
 */
export async function checkFuseDeploy(c: ContractCase): Promise<{ fuse: number; deploy: number }> {
  const xs = makeInputs(c);
  try {
    const reference = await withModule(c, (m) => {
      randomizeState(m, c.seed);
      m.eval();
      return { ys: run(m, xs), params: m.numParams() };
    });
    const folded = async (what: 'fuse' | 'deploy'): Promise<number> =>
      withModule(c, (m) => {
        randomizeState(m, c.seed);
        m.eval();
        if (what === 'deploy') deploy(m);
        else {
          fuse(m);
          if (isFusable(m)) m.fuse();
        }
        if (m.numParams() > reference.params) throw violation(c, `${what} grew the parameters from ${reference.params} to ${m.numParams()}`);
        const ys = run(m, xs);
        try {
          let worst = 0;
          ys.forEach((y, i) => {
            const ref = reference.ys[i]!;
            if (JSON.stringify(y.shape) !== JSON.stringify(ref.shape)) throw violation(c, `${what} changed the output shape from [${ref.shape}] to [${y.shape}]`);
            const r = compareArrays(y.dataSync(), ref.dataSync(), tolerance());
            if (!r.pass) throw violation(c, `${what} changed the eval output beyond the parity tolerance: max |err| ${r.maxAbsError.toExponential(3)}, worst |err|/tol ${r.worstRatio.toFixed(2)}`);
            worst = Math.max(worst, r.worstRatio);
          });
          return worst;
        } finally {
          disposeAll(ys);
        }
      });
    try {
      return { fuse: await folded('fuse'), deploy: await folded('deploy') };
    } finally {
      disposeAll(reference.ys);
    }
  } finally {
    disposeAll(xs);
  }
}

/** A tfjs kernel that ran, as tf.profile lists it. */
export interface KernelRecord {
  /** Kernel name (`Conv2D`, `BatchMatMul`). */
  name: string;
  /** Input shapes in the kernel's input order. */
  inputShapes: (number[] | null)[];
  /** Output shapes. */
  outputShapes: number[][];
}

/** Contraction kernels the check cannot count from shapes alone: a module that runs one fails, naming it. */
const UNCOUNTED_CONTRACTIONS = new Set(['Conv2DBackpropInput', 'Conv3D', 'Conv3DBackpropInputV2', 'Einsum', 'Dilation2D']);

/**
 * MACs of the convolution and matrix-product kernels that ran, from their shapes alone: Conv2D out_numel * kh
 * * kw * cin_per_group (the filter (kh, kw, cin/g, cout)), depthwise out_numel * kh * kw, BatchMatMul out_numel
 * * inner (inner = the product of a's last two dims over the output's rows, whichever way a is transposed).
 * Other kernels (elementwise, pools, reductions) are not contractions and give 0.
 */
export function kernelMacs(kernels: readonly KernelRecord[]): number {
  let macs = 0;
  for (const k of kernels) {
    const out = k.outputShapes[0]!;
    const [a, b] = k.inputShapes;
    switch (k.name) {
      case 'Conv2D':
      case 'FusedConv2D':
        macs += numel(out) * b![0]! * b![1]! * b![2]!;
        break;
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2D':
        macs += numel(out) * b![0]! * b![1]!;
        break;
      case 'BatchMatMul':
      case '_FusedMatMul': {
        const rows = out[out.length - 2]!;
        const inner = (a![a!.length - 1]! * a![a!.length - 2]!) / rows;
        macs += numel(out) * inner;
        break;
      }
      default:
        if (UNCOUNTED_CONTRACTIONS.has(k.name)) throw new Error(`kernel ${k.name} ran: the FLOP check cannot count it from its shapes`);
    }
  }
  return macs;
}

/**
 * FLOPs by the one rule, checked against what actually ran: the convolution and matmul MACs the module reports
 * (countMacs kinds `conv` and `matmul`) equal the MACs of the Conv2D/depthwise/BatchMatMul kernels tf.profile
 * lists for one eval forward (a conv that is not counted, or counted but not run, shows); and counting with
 * `shapeOnly` (convolutions not computed) reports the same MACs, kind by kind, as counting a real forward. Both
 * as built and after `deploy()` (what `plugconv info --deploy` counts).
 */
export async function checkFlops(c: ContractCase): Promise<{ reported: MacsByKind; kernels: number; total: number; deployed: number }> {
  return withModule(c, async (m) => {
    m.eval();
    const xs = makeInputs(c);
    try {
      const built = await flopsAgree(c, m, xs, 'as built');
      deploy(m);
      const deployed = await flopsAgree(c, m, xs, 'deployed');
      return { ...built, deployed: deployed.total };
    } finally {
      disposeAll(xs);
    }
  });
}

/** {@link checkFlops} for the module as it is now. */
async function flopsAgree(c: ContractCase, m: Module<any, any>, xs: tf.Tensor | tf.Tensor[], what: string): Promise<{ reported: MacsByKind; kernels: number; total: number }> {
  let real: { macs: number; byKind: MacsByKind } = { macs: 0, byKind: { conv: 0, matmul: 0, other: 0 } };
  const profile = await tf.profile(() => {
    const r = countingMacs(() => run(m, xs));
    real = { macs: r.macs, byKind: r.byKind };
    disposeAll(r.result);
    return [];
  });
  let ran: number;
  try {
    ran = kernelMacs(profile.kernels as KernelRecord[]);
  } catch (e) {
    throw violation(c, `${what}: ${(e as Error).message}`);
  }
  const reported = real.byKind.conv + real.byKind.matmul;
  if (reported !== ran) {
    const names = [...new Set(profile.kernels.map((k) => k.name).filter((n) => /Conv|MatMul/.test(n)))].join(', ');
    throw violation(c, `${what}: reports ${reported} conv+matmul MACs (conv ${real.byKind.conv}, matmul ${real.byKind.matmul}), the kernels that ran (${names || 'none'}) did ${ran}`);
  }
  const shapeOnly = countingMacs(() => disposeAll(run(m, xs)), { shapeOnly: true });
  for (const kind of Object.keys(real.byKind) as (keyof MacsByKind)[]) {
    if (shapeOnly.byKind[kind] !== real.byKind[kind]) {
      throw violation(c, `${what}: shape-only counting reports ${shapeOnly.byKind[kind]} '${kind}' MACs, a real forward ${real.byKind[kind]}`);
    }
  }
  return { reported: real.byKind, kernels: ran, total: real.macs };
}

/**
 * Gradients reach every trainable parameter, on the cpu backend (wasm has no convolution gradients), with random
 * weights and statistics (a fresh SAConv2d's switch, for one, starts saturated and gates its large branch off):
 * in a training-mode forward every trainable parameter gets a finite gradient from tf.variableGrads (it is
 * connected to the output), and a non-zero one in training or in eval mode (it is not on a dead branch; in
 * training mode BatchNorm's batch mean cancels the gradient of a bias just before it, in eval mode a bare
 * Detect's unset strides zero its boxes). The loss projects the outputs on fixed pseudo-random weights, so no
 * output's gradient cancels by symmetry.
 */
export async function checkGradients(c: ContractCase): Promise<{ trainable: number }> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return await withModule(c, (m) => {
      const trainable = m.namedSlots().filter(([, s]) => s.kind === 'parameter' && s.trainable);
      if (!trainable.length) return { trainable: 0 };
      randomizeState(m, c.seed);
      const xs = makeInputs(c);
      const reached = new Set<string>();
      try {
        for (const mode of ['train', 'eval'] as const) {
          // eval mode only for what training mode left at zero (an eval head may end in a non-differentiable top-k)
          if (mode === 'eval' && trainable.every(([k]) => reached.has(k))) break;
          m.train(mode === 'train');
          const loss = () =>
            tf.addN(
              tensorsOf(m.forward(xs)).map((y) => tf.sum(tf.mul(y, tf.reshape(tf.sin(tf.range(1, y.size + 1)), y.shape)))),
            ) as tf.Scalar;
          const { value, grads } = tf.variableGrads(loss, trainable.map(([, s]) => s.variable));
          try {
            for (const [key, s] of trainable) {
              const g = grads[s.variable.name];
              if (!g) {
                if (mode === 'train') throw violation(c, `no gradient reaches trainable parameter '${key}' in a training-mode forward: it is not connected to the output`);
                continue;
              }
              const v = g.dataSync() as Float32Array;
              if (v.some((x) => !Number.isFinite(x))) throw violation(c, `the gradient of '${key}' has non-finite values (${mode} mode)`);
              if (v.some((x) => x !== 0)) reached.add(key);
            }
          } finally {
            value.dispose();
            disposeAll(Object.values(grads));
          }
        }
        const dead = trainable.map(([k]) => k).filter((k) => !reached.has(k));
        if (dead.length) throw violation(c, `the gradients of trainable parameters ${dead.map((k) => `'${k}'`).join(', ')} are zero everywhere in training and in eval mode: they sit on a dead branch`);
        return { trainable: trainable.length };
      } finally {
        disposeAll(xs);
      }
    });
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * No tensor outlives a forward: after a warm-up, tf.memory().numTensors is the same after each of three tidy
 * forwards whose outputs are disposed, in eval and in training mode (caches that grow, tensors kept with
 * tf.keep or created as variables inside forward, all show).
 */
export async function checkNoLeaks(c: ContractCase, forwards = 3): Promise<{ tensors: number }> {
  return withModule(c, (m) => {
    const xs = makeInputs(c);
    try {
      const once = () => disposeAll(run(m, xs));
      for (const mode of ['eval', 'train'] as const) {
        m.train(mode === 'train');
        once();
        const before = tf.memory().numTensors;
        for (let i = 1; i <= forwards; i++) {
          once();
          const now = tf.memory().numTensors;
          if (now !== before) throw violation(c, `${now - before} tensors more after ${i} ${mode}-mode forwards (${(now - before) / i} per forward): a forward leaks`);
        }
      }
      return { tensors: tf.memory().numTensors };
    } finally {
      disposeAll(xs);
    }
  });
}

/** Every check of the contract, in order, with what it measures (the contract test runs each on every case). */
export const CONTRACT_CHECKS: readonly {
  /** Short name, used in test titles. */
  name: string;
  /** Runs the check on a case; throws a {@link ContractViolation}. */
  run: (c: ContractCase) => Promise<unknown>;
}[] = [
  { name: 'build', run: checkBuild },
  { name: 'forward shape', run: checkForwardShape },
  { name: 'state-dict round trip', run: checkStateDictRoundTrip },
  { name: 'fuse and deploy', run: checkFuseDeploy },
  { name: 'FLOPs', run: checkFlops },
  { name: 'gradients', run: checkGradients },
  { name: 'no leaks', run: checkNoLeaks },
];
