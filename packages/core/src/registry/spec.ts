import type { Module } from '../nn/module.js';

/**
 * How the YAML parser derives a row's channels and constructor arguments (ultralytics' parse_model rules):
 * - `conv`: c1 = ch[from], c2 = args[0] scaled by width (unless it is nc), args -> [c1, c2, ...args[1:]].
 * - `repeat`: as `conv`, then the row's repeat count is inserted at args[2] and the row is built once.
 * - `fixed`: c1 = ch[from], c2 = args[0] as written, args -> [c1, ...args].
 * - `concat`: c2 = sum of the inputs' channels, args unchanged.
 * - `same`: c2 = c1, args unchanged (nn.Upsample).
 * - `detect`: args + [list of the inputs' channels]; c2 is not used further.
 */
export type ChannelRule = 'conv' | 'repeat' | 'fixed' | 'concat' | 'same' | 'detect';

/** Types an argument may be declared with, for the parser's row checks. */
export type ArgType = 'int' | 'number' | 'bool' | 'string' | 'int[]' | 'any';

/** One constructor argument as a YAML row gives it (after the rule adds c1/c2/n). */
export interface ArgSpec {
  /** The argument's name as the Python signature spells it (`k`, `shortcut`). */
  name: string;
  /** What the YAML value must be. */
  type: ArgType;
  /** null accepted (Python None). */
  nullable?: boolean;
  /** May be left out of the row. */
  optional?: boolean;
}

/**
 * A small instance of a module for the contract test that runs over every registered token (build, output
 * shape, state-dict round trip, fuse/deploy, FLOPs, gradients, no leaked tensors). Keep it small enough to run
 * in milliseconds on the cpu backend: a few channels, an 8x8 map, batch 2 (training-mode BatchNorm needs more
 * than one value per channel).
 */
export interface ModuleExample {
  /** Constructor arguments as the channel rule passes them to {@link ModuleSpec.create} (c1 first where the rule adds it). */
  args: unknown[];
  /**
   * The input shape, NHWC (`[2, 8, 8, 16]`), or one shape per input for modules that take a list (Concat,
   * Detect). Its channels must be what the arguments expect (c1, or Detect's channel list).
   */
  input: number[] | number[][];
  /**
   * The eval-mode output shape, for rules that do not fix the output channels (`detect`); checked exactly
   * whenever it is given.
   */
  output?: number[];
  /** What the example exercises (`stride 2, dilation 2`), shown in test names. */
  label?: string;
}

/** What a module package declares for each YAML token it provides. */
export interface ModuleSpec {
  /** The YAML token (`C2f_DSConv`, `nn.Upsample`). */
  name: string;
  /** How the parser derives c1/c2 (and n) for this token (see {@link ChannelRule}). */
  rule: ChannelRule;
  /** The npm package that provides it (`@plugconv/dsconv`). */
  package: string;
  /** One line for `plugconv modules` and the docs. */
  summary: string;
  /** Constructor arguments in order, c1 first, as the rule produces them; used to check YAML rows. */
  signature: ArgSpec[];
  /** Builds the module from the rule's arguments. */
  create(...args: any[]): Module<any, any>;
  /**
   * Small instances for the contract test (see {@link ModuleExample}); at least one. The test fails, naming
   * the token, for a registered spec without any.
   */
  examples?: ModuleExample[];
}

/** Shorthand to declare {@link ArgSpec}s: `arg('k', 'int', { optional: true })`. */
export function arg(name: string, type: ArgType, extra: Omit<ArgSpec, 'name' | 'type'> = {}): ArgSpec {
  return { name, type, ...extra };
}

/** The (c1, c2) head of every conv/repeat-rule signature. */
export const CHANNELS: ArgSpec[] = [arg('c1', 'int'), arg('c2', 'int')];

/** Conv's arguments (c1, c2, k, s, p, g, d, act): the signature a Conv-compatible module starts with. */
export const CONV_ARGS: ArgSpec[] = [
  ...CHANNELS,
  arg('k', 'int', { optional: true }),
  arg('s', 'int', { optional: true }),
  arg('p', 'int', { optional: true, nullable: true }),
  arg('g', 'int', { optional: true }),
  arg('d', 'int', { optional: true }),
  arg('act', 'bool', { optional: true }),
];

/** C2f's arguments (c1, c2, n, shortcut, g, e): the signature of C2f and its variants. */
export const C2F_ARGS: ArgSpec[] = [...CHANNELS, arg('n', 'int', { optional: true }), arg('shortcut', 'bool', { optional: true }), arg('g', 'int', { optional: true }), arg('e', 'number', { optional: true })];
