import * as tf from '@tensorflow/tfjs-core';
import { plainLayout, type Layout } from './layout.js';
import { releaseIntermediate } from '../ops/release.js';

/** A named tensor slot of a module: a trainable or frozen parameter, or a buffer (BN running stats). */
export interface TensorSlot {
  /** The tensor, in the internal (NHWC-friendly) layout. */
  variable: tf.Variable;
  /** How the tensor maps to PyTorch's layout in state dicts. */
  layout: Layout;
  /** Parameters count in `params`; trainable ones also in `gradients`. Buffers are neither. */
  kind: 'parameter' | 'buffer';
  /** Whether optimisers update it (`requiresGrad`); false for buffers and frozen parameters. */
  trainable: boolean;
}

/** Tensors keyed by PyTorch state-dict name, in PyTorch layout. */
export type StateDict = Map<string, tf.Tensor>;

/** Options of {@link Module.loadStateDict}. */
export interface LoadOptions {
  /** Fail on missing or unexpected keys (default true). Shape mismatches always fail. */
  strict?: boolean;
}

/** A state-dict key whose tensor has another shape than the module's (PyTorch layout). */
export interface ShapeMismatch {
  /** The state-dict key. */
  key: string;
  /** The module's shape. */
  expected: number[];
  /** The state dict's shape. */
  got: number[];
}

/** A state dict that does not fit a module; the lists say which keys, for callers that word it their own way. */
export class StateDictError extends Error {
  /** The error's class name. */
  override name = 'StateDictError';
  constructor(
    message: string,
    /** Keys the module has and the state dict lacks (strict loads only). */
    readonly missing: string[],
    /** Keys the state dict has and the module lacks (strict loads only). */
    readonly unexpected: string[],
    /** Keys present in both with different shapes (PyTorch layout). */
    readonly mismatched: ShapeMismatch[],
  ) {
    super(message);
  }
}

/** At most `n` items of a list, then how many more. */
function some(list: string[], n = 20, sep = ', '): string {
  return list.length <= n ? list.join(sep) : `${list.slice(0, n).join(sep)} (+${list.length - n} more)`;
}

/** PyTorch bookkeeping keys that carry no weights; accepted and ignored on load. */
const IGNORED_SUFFIXES = ['.num_batches_tracked'];

let nextVariableId = 0;

/**
 * A PyTorch-like module: named children, parameters and buffers held as `tf.Variable`s, train/eval mode,
 * state dicts in PyTorch layout and key names. Tensors flowing through `forward` are NHWC.
 */
export abstract class Module<I = tf.Tensor, O = tf.Tensor> {
  /** Training mode (BatchNorm uses batch statistics and updates its running stats). */
  training = true;
  private readonly slots = new Map<string, TensorSlot>();
  private readonly children = new Map<string, Module<any, any>>();

  /** The module's type name as PyTorch would print it (`Conv`, `C2f`, ...). */
  get typeName(): string {
    return this.constructor.name;
  }

  /**
   * Runs the module on `x` (NHWC tensors, or what the module documents). Called directly, it records the
   * computation for gradients when inside `tf.variableGrads`; wrap inference in `tf.tidy` to free intermediates.
   */
  abstract forward(x: I): O;

  /** Registers a parameter given in the internal layout. */
  protected addParameter(name: string, value: tf.Tensor, layout: Layout = plainLayout, trainable = true): tf.Variable {
    return this.addSlot(name, value, layout, 'parameter', trainable);
  }

  /** Registers a buffer (state-dict entry that is not a parameter) given in the internal layout. */
  protected addBuffer(name: string, value: tf.Tensor, layout: Layout = plainLayout): tf.Variable {
    return this.addSlot(name, value, layout, 'buffer', false);
  }

  private addSlot(name: string, value: tf.Tensor, layout: Layout, kind: TensorSlot['kind'], trainable: boolean): tf.Variable {
    if (this.slots.has(name) || this.children.has(name)) throw new Error(`${this.typeName}: '${name}' is registered twice`);
    const variable = tf.variable(value, trainable, `${this.typeName}.${name}#${nextVariableId++}`);
    value.dispose();
    this.slots.set(name, { variable, layout, kind, trainable });
    return variable;
  }

  /** Replaces a slot's value (same shape) keeping the variable, e.g. when loading or re-parameterising. */
  protected slot(name: string): TensorSlot {
    const s = this.slots.get(name);
    if (!s) throw new Error(`${this.typeName} has no parameter or buffer '${name}'`);
    return s;
  }

  /** Removes a parameter or buffer (used by fuse/deploy when a branch disappears). */
  protected removeSlot(name: string): void {
    const s = this.slots.get(name);
    if (s) {
      s.variable.dispose();
      this.slots.delete(name);
    }
  }

  /** Registers a child module under `name` (its state keys become `name.…`) and returns it. */
  protected addModule<M extends Module<any, any>>(name: string, module: M): M {
    if (this.slots.has(name)) throw new Error(`${this.typeName}: '${name}' is registered twice`);
    this.children.set(name, module);
    return module;
  }

  /** Replaces or removes (with `null`) a registered child. */
  protected setModule(name: string, module: Module<any, any> | null): void {
    if (module === null) this.children.delete(name);
    else this.children.set(name, module);
  }

  /** Direct children in registration order. */
  namedChildren(): [string, Module<any, any>][] {
    return [...this.children.entries()];
  }

  /**
   * Every module of the tree with its dotted name, depth first, each object once (a module shared by several
   * parents, like ultralytics' default activation, appears once), as PyTorch's `named_modules()`.
   */
  namedModules(prefix = '', seen = new Set<Module<any, any>>()): [string, Module<any, any>][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module<any, any>][] = [[prefix, this]];
    for (const [name, child] of this.children) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    }
    return out;
  }

  /** Every parameter and buffer of the tree with its state-dict key. */
  namedSlots(prefix = ''): [string, TensorSlot][] {
    const out: [string, TensorSlot][] = [];
    for (const [name, slot] of this.slots) out.push([prefix ? `${prefix}.${name}` : name, slot]);
    for (const [name, child] of this.children) out.push(...child.namedSlots(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Parameters (trainable and frozen) with their state-dict keys. */
  namedParameters(): [string, tf.Variable][] {
    return this.namedSlots()
      .filter(([, s]) => s.kind === 'parameter')
      .map(([k, s]) => [k, s.variable]);
  }

  /** Buffers with their state-dict keys. */
  namedBuffers(): [string, tf.Variable][] {
    return this.namedSlots()
      .filter(([, s]) => s.kind === 'buffer')
      .map(([k, s]) => [k, s.variable]);
  }

  /** Trainable variables, for an optimizer. */
  trainableVariables(): tf.Variable[] {
    return this.namedSlots()
      .filter(([, s]) => s.kind === 'parameter' && s.trainable)
      .map(([, s]) => s.variable);
  }

  /** Number of parameter elements (PyTorch's `sum(p.numel() for p in parameters())`). */
  numParams(): number {
    return this.namedSlots()
      .filter(([, s]) => s.kind === 'parameter')
      .reduce((n, [, s]) => n + s.variable.size, 0);
  }

  /** Number of trainable parameter elements (ultralytics' "gradients"). */
  numGradients(): number {
    return this.namedSlots()
      .filter(([, s]) => s.kind === 'parameter' && s.trainable)
      .reduce((n, [, s]) => n + s.variable.size, 0);
  }

  /** Marks every parameter of the tree trainable or frozen (PyTorch's requires_grad_). */
  requiresGrad(flag: boolean): this {
    for (const [, slot] of this.namedSlots()) {
      if (slot.kind !== 'parameter') continue;
      slot.trainable = flag;
      slot.variable.trainable = flag;
    }
    return this;
  }

  /** Sets training mode on the whole tree. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Sets eval mode on the whole tree. */
  eval(): this {
    return this.train(false);
  }

  /** The state dict in PyTorch layout and key names. The caller owns (and disposes) the tensors. */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    for (const [key, slot] of this.namedSlots()) sd.set(key, slot.layout.toTorch(slot.variable));
    return sd;
  }

  /**
   * Loads a PyTorch-layout state dict. Every problem is collected first and reported in one error naming the
   * keys (missing, unexpected, wrong shape); nothing is assigned unless everything fits.
   */
  loadStateDict(sd: Map<string, tf.Tensor> | Record<string, tf.Tensor>, options: LoadOptions = {}): void {
    const strict = options.strict ?? true;
    const entries = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const slots = new Map(this.namedSlots());
    const missing: string[] = [];
    const mismatched: ShapeMismatch[] = [];
    for (const [key, slot] of slots) {
      const t = entries.get(key);
      if (!t) {
        missing.push(key);
        continue;
      }
      const want = slot.layout.torchShape(slot.variable.shape);
      if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) mismatched.push({ key, expected: want, got: t.shape });
    }
    const unexpected = strict ? [...entries.keys()].filter((k) => !slots.has(k) && !IGNORED_SUFFIXES.some((s) => k.endsWith(s))) : [];
    if (!strict) missing.length = 0;
    const problems: string[] = [];
    if (mismatched.length) problems.push(`shape mismatch: ${some(mismatched.map((m) => `${m.key}: expected [${m.expected}], got [${m.got}]`), 8, '; ')}`);
    if (missing.length) problems.push(`missing keys: ${some(missing)}`);
    if (unexpected.length) problems.push(`unexpected keys: ${some(unexpected)}`);
    if (problems.length) throw new StateDictError(`loadStateDict(${this.typeName}): ${problems.join(' | ')}`, missing, unexpected, mismatched);
    for (const [key, slot] of slots) {
      const t = entries.get(key);
      if (!t) continue;
      const value = tf.tidy(() => slot.layout.fromTorch(t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
      slot.variable.assign(value);
      value.dispose();
    }
  }

  /**
   * Frees every variable of the tree and what each module keeps beside its variables (a module with caches
   * overrides this, calls `super.dispose()` and frees them): the call recurses through every child's `dispose()`.
   */
  dispose(): void {
    for (const slot of this.slots.values()) slot.variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}

/** Runs children in order; children are named 0, 1, 2, ... as in PyTorch. */
export class Sequential extends Module<any, any> {
  /** The children in order (state-dict names `0`, `1`, ...). */
  readonly layers: Module<any, any>[];
  constructor(...layers: Module<any, any>[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.addModule(String(i), m));
  }
  /** Each layer on the previous one's output; an intermediate map is freed once the next layer has run. */
  forward(x: any): any {
    let y = x;
    for (const m of this.layers) {
      const next = m.forward(y);
      if (y instanceof tf.Tensor && next instanceof tf.Tensor) releaseIntermediate(y, next, x);
      y = next;
    }
    return y;
  }
  /** Replaces layer `i` (used by fusion and deploy). */
  replace(i: number, m: Module<any, any>): void {
    this.layers[i] = m;
    this.setModule(String(i), m);
  }
}

/** A list of modules with numeric names; not callable itself (as PyTorch's ModuleList). */
export class ModuleList<M extends Module<any, any> = Module<any, any>> extends Module<never, never> {
  /** The children in order (state-dict names `0`, `1`, ...). */
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items;
    items.forEach((m, i) => this.addModule(String(i), m));
  }
  forward(): never {
    throw new Error('ModuleList is not callable');
  }
}

/** Passes its input through (PyTorch's nn.Identity). */
export class Identity extends Module<any, any> {
  forward(x: any): any {
    return x;
  }
}
