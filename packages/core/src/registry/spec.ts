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
  /** Smallest accepted value (numeric types), e.g. 1 for a positive integer. */
  min?: number;
}

/**
 * The ultralytics release whose parse_model and block semantics a build follows. They differ where a build's result
 * shows: SPPF's cv1 has SiLU in 8.2 and no activation in 8.4, and 8.2 leaves a base-rule c2 equal to nc unscaled
 * while 8.4 width-scales every c2 (also Detect's bias_init and model_info's layer count; `ULTRALYTICS_SEMANTICS`
 * lists them). See `resolveUltralytics` for how a build selects it.
 */
export type UltralyticsVersion = '8.2' | '8.4';

/** What a spec's build-dependent argument rule ({@link ModuleSpec.buildArgs}) may read. */
export interface BuildContext {
  /** The scale key being built (`n`, `m`, ...); undefined for a config without scales or a lone module. */
  scale?: string;
  /** The ultralytics semantics of the build. */
  ultralytics: UltralyticsVersion;
  /**
   * Whether detection heads take their legacy (YOLOv8) form: true until a row whose spec declares
   * {@link ModuleSpec.modernHead} has been built, as ultralytics' parse_model flips its `legacy` flag.
   */
  legacyHead: boolean;
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
  /**
   * Argument rules that depend on the build rather than on the row alone (ultralytics hard-codes them per module
   * in parse_model): receives the arguments after the channel rule and returns those to check and build with,
   * e.g. C3k2's c3k = True at scales m, l, x. Must not modify `args`.
   */
  buildArgs?(args: readonly unknown[], ctx: BuildContext): unknown[];
  /** Its presence in a config switches every later detection head to the current (non-legacy) form. */
  modernHead?: boolean;
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

/** C3k2's arguments (c1, c2, n, c3k, e, attn, g, shortcut): the signature of C3k2 and every C3k2 variant. */
export const C3K2_ARGS: ArgSpec[] = [
  ...CHANNELS,
  arg('n', 'int', { optional: true }),
  arg('c3k', 'bool', { optional: true }),
  arg('e', 'number', { optional: true }),
  arg('attn', 'bool', { optional: true }),
  arg('g', 'int', { optional: true }),
  arg('shortcut', 'bool', { optional: true }),
];

/**
 * What C3k2 and every C3k2 variant declare besides name, package, summary and create: the repeat rule, C3k2's
 * signature, ultralytics' scale rule (c3k = True at scales m, l and x), the head switch (a C3k2 makes
 * detection heads non-legacy) and the contract test's examples (plain bottlenecks, c3k, attn: every member takes
 * the same arguments). Spread it into a spec: `{ name: 'C3k2_X', ...C3K2_FAMILY, package, summary, create }`.
 */
export const C3K2_FAMILY: Pick<ModuleSpec, 'rule' | 'signature' | 'buildArgs' | 'modernHead' | 'examples'> = {
  rule: 'repeat',
  signature: C3K2_ARGS,
  buildArgs: (args, ctx) => (ctx.scale !== undefined && 'mlx'.includes(ctx.scale) ? [...args.slice(0, 3), true, ...args.slice(4)] : [...args]),
  modernHead: true,
  examples: [
    { args: [16, 16, 1, false, 0.5], input: [2, 8, 8, 16], label: 'bottlenecks' },
    { args: [16, 32, 1, true], input: [2, 8, 8, 16], label: 'c3k' },
    { args: [64, 64, 1, false, 0.5, true], input: [2, 4, 4, 64], label: 'attn' },
  ],
};
