import type { ScaffoldContext } from './context.js';

/** test/helpers.ts: random states for the unit tests. */
export function testHelpers(ctx: ScaffoldContext): string {
  return `import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@plugconv/core';

/**
 * Loads random values into every tensor of a module's state (BN running statistics included, variances in
 * [0.5, 2)), so a comparison exercises each of them. Seeded: the same seed gives the same state.
 */
export function randomizeState(m: Module<any, any>, seed: number): void {
  const next = new Map<string, tf.Tensor>();
  let i = 0;
  for (const [key, t] of m.stateDict()) {
    const [lo, hi] = key.endsWith('running_var') ? [0.5, 2] : [-1, 1];
    next.set(key, tf.randomUniform(t.shape, lo, hi, 'float32', seed + i++));
    t.dispose();
  }
  m.loadStateDict(next);
  for (const t of next.values()) t.dispose();
}
`;
}

/** The rule-specific parts of the Node test. */
interface RuleCases {
  /** Extra names imported from @plugconv/core. */
  imports: string;
  /** Constructor arguments of the gradient and state-dict tests, and the input channels they take. */
  args: string;
  inC: number;
  shape: string;
  errors: string;
  /** Checks of \`sd\` (the state dict of \`a\`). */
  keys: string;
  parity: string;
  yaml: string;
}

/** The shape test: each case (`[[constructor args], output shape]`, as TypeScript) run on one input. */
function shapeTest(T: string, title: string, input: number[], cases: string[]): string {
  return `  it('${title}', () => {
    const x = tf.randomNormal([${input.join(', ')}], 0, 1, 'float32', 1);
    const cases: [ConstructorParameters<typeof ${T}>, number[]][] = [
${cases.map((c) => `      ${c},`).join('\n')}
    ];
    for (const [args, shape] of cases) {
      const m = new ${T}(...args);
      const y = m.forward(x);
      expect(y.shape, JSON.stringify(args)).toEqual(shape);
      y.dispose();
      m.dispose();
    }
    x.dispose();
  });`;
}

/** The errors test: each case (`[constructor args, the message after '<Token>: ']`) must throw. */
function errorsTest(T: string, cases: [string, string][]): string {
  return `  it('refuses bad arguments with an error naming the module and the argument', () => {
${cases.map(([args, message]) => `    expect(() => new ${T}(${args})).toThrow(/${T}: ${message}/);`).join('\n')}
  });`;
}

/**
 * The YAML test: `source` (TypeScript, with TOKEN for the token) is the small detector with the token in place of
 * `replaced`; `rows` the constructor arguments its rows must get at scale n.
 */
function yamlTest(T: string, replaced: string, rule: string, source: string, rows: string): string {
  return `  it('builds from a YAML in place of ${replaced} (${rule})', () => {
    const model = buildModel(parseYoloConfig(${source.replace('TOKEN', `'${T}'`)}, 'yolov8n-${T}.yaml'), { registry, scale: 'n', warn: () => {} });
    const rows = model.info.filter((l) => l.type === '${T}');
    expect(rows.map((l) => l.args)).toEqual(${rows});
    checkPredict(model);
  });`;
}

function ruleCases(ctx: ScaffoldContext): RuleCases {
  const T = ctx.token;
  if (ctx.rule === 'repeat') {
    return {
      imports: 'C2f, ',
      shape: shapeTest(T, 'maps (N, H, W, c1) to (N, H, W, c2) for any n, shortcut, groups and e', [2, 16, 16, 16], [
        '[[16, 32], [2, 16, 16, 32]]',
        '[[16, 16, 2, true], [2, 16, 16, 16]]',
        '[[16, 64, 3, false, 4, 0.25], [2, 16, 16, 64]]',
      ]),
      errors: errorsTest(T, [
        ['0, 16', 'c1 must be a positive integer, got 0'],
        ['16, 32, 1.5', 'n must be a positive integer, got 1.5'],
        ['16, 1, 1, false, 1, 0.5', 'e must leave at least one hidden channel'],
      ]),
      args: '16, 32, 2, true, 2',
      inC: 16,
      keys: `    const c2f = new C2f(16, 32, 2, true, 2);
    const keys = [...c2f.stateDict()].map(([k, t]) => (t.dispose(), k));
    c2f.dispose();
    // the starter is ultralytics' C2f key for key: PyTorch C2f weights load as they are
    expect([...sd.keys()]).toEqual(keys);
    expect(sd.get('m.1.cv2.conv.weight')!.shape).toEqual([16, 8, 3, 3]);`,
      parity: `  it("equals a reference computed here: ultralytics' C2f with the same state (eval)", () => {
    // the starter block is C2f's Bottleneck(c, c, shortcut, g, (3, 3), e=1), so core's C2f is the reference;
    // once your block differs, replace this test with PyTorch fixtures (docs/guides/writing-a-module.md)
    const m = new ${T}(16, 32, 2, true, 2, 0.5);
    randomizeState(m, 11);
    const ref = new C2f(16, 32, 2, true, 2, 0.5);
    const sd = m.stateDict();
    ref.loadStateDict(sd);
    for (const t of sd.values()) t.dispose();
    m.eval();
    ref.eval();
    const x = tf.randomNormal([2, 12, 12, 16], 0, 1, 'float32', 5);
    const y = m.forward(x);
    const r = ref.forward(x);
    const cmp = compareOutputs(y, r);
    expect(cmp.maxAbsError).toBeLessThan(1e-5);
    expect(cmp.pass).toBe(true);
    tf.dispose([x, y, r]);
    m.dispose();
    ref.dispose();
  });`,
      yaml: yamlTest(T, 'C2f', 'rule repeat: c2 scaled by width, the row count becomes n', "yaml('C2f', TOKEN)", '[[32, 32, 1, true], [96, 32, 1], [96, 64, 1]]'),
    };
  }
  const fixed = ctx.rule === 'fixed';
  return {
    imports: '',
    shape: shapeTest(T, 'maps (N, H, W, c1) to (N, H/s, W/s, c2) like Conv, for any k, stride, groups and dilation', [2, 16, 16, 8], [
      '[[8, 16], [2, 16, 16, 16]]',
      '[[8, 16, 3, 2], [2, 8, 8, 16]]',
      '[[8, 16, 3, 1, null, 4, 2], [2, 16, 16, 16]]',
      '[[8, 16, 3, 2, null, 1, 2], [2, 8, 8, 16]]',
      '[[8, 8, 5, 1, 1, 8, 1, false], [2, 14, 14, 8]]',
    ]),
    errors: errorsTest(T, [
      ['0, 16', 'c1 must be a positive integer, got 0'],
      ['8, 16, 3, 0', 's must be a positive integer, got 0'],
      ['8, 12, 3, 1, null, 5', 'c1 8 and c2 12 must be divisible by g 5'],
    ]),
    args: '8, 16, 3, 2, null, 2',
    inC: 8,
    keys: `    // ultralytics' Conv keys: PyTorch Conv weights load as they are
    expect([...sd.keys()]).toEqual(['conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var']);
    expect(sd.get('conv.weight')!.shape).toEqual([16, 4, 3, 3]);`,
    parity: `  it.each([
    [3, 2, 1],
    [3, 1, 2],
    [1, 1, 1],
  ])('equals silu(bn(conv(x))) computed here with plain tfjs ops (eval; k %i, s %i, d %i)', (k, s, d) => {
    // the reference is the starter's own definition; once your module differs, replace this test with
    // PyTorch fixtures (docs/guides/writing-a-module.md)
    const m = new ${T}(8, 16, k, s, null, 1, d);
    randomizeState(m, 11);
    m.eval();
    const x = tf.randomNormal([2, 12, 12, 8], 0, 1, 'float32', 5);
    const sd = m.stateDict();
    const p = Math.floor((d * (k - 1) + 1) / 2);
    const ref = tf.tidy(() => {
      const w = tf.transpose(sd.get('conv.weight')!, [2, 3, 1, 0]) as tf.Tensor4D; // OIHW -> HWIO
      const conv = tf.conv2d(x as tf.Tensor4D, w, s, [[0, 0], [p, p], [p, p], [0, 0]], 'NHWC', d);
      const bn = tf.add(tf.mul(tf.div(tf.sub(conv, sd.get('bn.running_mean')!), tf.sqrt(tf.add(sd.get('bn.running_var')!, 1e-3))), sd.get('bn.weight')!), sd.get('bn.bias')!);
      return tf.mul(bn, tf.sigmoid(bn));
    });
    const y = m.forward(x);
    const cmp = compareOutputs(y, ref);
    expect(cmp.maxAbsError).toBeLessThan(1e-4);
    expect(cmp.pass).toBe(true);
    tf.dispose([x, y, ref, ...sd.values()]);
    m.dispose();
  });`,
    yaml: fixed
      ? yamlTest(T, 'Conv', 'rule fixed: c2 as written, never scaled by width', "yaml('Conv', TOKEN, [32, 64, 32])", '[[16, 32, 3, 2], [32, 64, 3, 2], [32, 32, 3, 2]]')
      : yamlTest(T, 'Conv', 'rule conv: c2 scaled by width', "yaml('Conv', TOKEN)", '[[16, 32, 3, 2], [32, 64, 3, 2], [32, 32, 3, 2]]'),
  };
}

/** test/<name>.test.ts: the unit tests (shape, errors, gradients on cpu, state dict, a reference, YAML). */
export function nodeTest(ctx: ScaffoldContext): string {
  const T = ctx.token;
  const c = ruleCases(ctx);
  return `import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, ${c.imports}compareOutputs, coreModules, decodeSafetensors, encodeSafetensors, parseYoloConfig, Registry, summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { ${T}, modules } from '../src/index.js';
import { randomizeState } from './helpers.js';

const registry = new Registry(coreModules, modules);

/**
 * A small two-level detector (64x64 input: P2/4 and P3/8) with \`token\` in place of \`replaced\`: of the Convs
 * in rows 1, 3 and 8, or of the C2fs in rows 2, 7 and 10. \`ch\` gives the Conv rows' channel arguments.
 */
function yaml(replaced: string, token: string, ch = [128, 256, 128]): string {
  const row = (c: number) => (replaced === 'C2f' ? \`[-1, 1, Conv, [\${c}, 3, 2]]\` : \`[-1, 1, \${token}, [\${c}, 3, 2]]\`);
  const c2f = (c: number, extra = '') => (replaced === 'C2f' ? \`[-1, 3, \${token}, [\${c}\${extra}]]\` : \`[-1, 3, C2f, [\${c}\${extra}]]\`);
  return [
    'nc: 4',
    'scales:',
    '  n: [0.33, 0.25, 1024]',
    'backbone:',
    '  - [-1, 1, Conv, [64, 3, 2]] # 0-P1/2',
    \`  - \${row(ch[0]!)} # 1-P2/4\`,
    \`  - \${c2f(128, ', True')}\`,
    \`  - \${row(ch[1]!)} # 3-P3/8\`,
    '  - [-1, 1, SPPF, [256, 5]]',
    'head:',
    "  - [-1, 1, nn.Upsample, [None, 2, 'nearest']]",
    '  - [[-1, 2], 1, Concat, [1]]',
    \`  - \${c2f(128)} # 7 (P2/4)\`,
    \`  - \${row(ch[2]!)}\`,
    '  - [[-1, 4], 1, Concat, [1]]',
    \`  - \${c2f(256)} # 10 (P3/8)\`,
    '  - [[7, 10], 1, Detect, [nc]]',
    '',
  ].join('\\n');
}

/** Runs the model on a 64x64 image: (1, 4 + nc, 16*16 + 8*8) boxes and scores; the summary counts it. */
function checkPredict(model: DetectionModel): void {
  model.eval();
  const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 3);
  const y = model.predict(x);
  expect(y.shape).toEqual([1, 8, 320]);
  const s = summarize(model);
  expect(s.params).toBe(model.numParams());
  expect(s.gflops).toBeGreaterThan(0);
  tf.dispose([x, y]);
  model.dispose();
}

describe('${T}', () => {
${c.shape}

${c.errors}

  it('gets a non-zero gradient for every parameter on cpu (wasm has no conv backprop)', async () => {
    await useBackend('cpu');
    try {
      const m = new ${T}(${c.args});
      m.train();
      const vars = m.trainableVariables();
      expect(vars.reduce((n, v) => n + v.size, 0)).toBe(m.numGradients());
      const x = tf.randomNormal([2, 12, 12, ${c.inC}], 0, 1, 'float32', 2);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(x))) as tf.Scalar, vars);
      for (const v of vars) {
        const g = grads[v.name];
        expect(g, v.name).toBeDefined();
        expect(tf.sum(tf.abs(g!)).dataSync()[0], v.name).toBeGreaterThan(0);
      }
      tf.dispose([x, value, ...Object.values(grads)]);
      m.dispose();
    } finally {
      await useBackend('wasm');
    }
  });

  it('has PyTorch keys and shapes, and a safetensors round trip of its state gives the same outputs', () => {
    const a = new ${T}(${c.args});
    const sd = a.stateDict();
${c.keys}
    for (const t of sd.values()) t.dispose();
    randomizeState(a, 7);
    const saved = a.stateDict();
    const bytes = encodeSafetensors(saved);
    for (const t of saved.values()) t.dispose();
    const b = new ${T}(${c.args});
    const loaded = decodeSafetensors(bytes);
    b.loadStateDict(loaded);
    for (const t of loaded.values()) t.dispose();
    a.eval();
    b.eval();
    const x = tf.randomNormal([1, 16, 16, ${c.inC}], 0, 1, 'float32', 4);
    const ya = a.forward(x);
    const yb = b.forward(x);
    expect(compareOutputs(yb, ya).maxAbsError).toBe(0);
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });

${c.parity}

${c.yaml}
});
`;
}

/** test/parity.test.ts: every fixture in fixtures/ against PyTorch on cpu and wasm (the shared harness). */
export function parityTest(ctx: ScaffoldContext): string {
  return `import { describeParity, packageTestKit } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';

const { registry } = packageTestKit(import.meta.url, modules);

// every fixtures/modules/<case>.safetensors (input, output, state.<key> in PyTorch layout, args in <case>.json)
// and fixtures/models/<cfg>-<scale>.safetensors: built, loaded, run in eval mode and compared with PyTorch's output
describeParity('${ctx.name}', import.meta.url, registry);
`;
}

/** test/figures.test.ts: params, gradients and GFLOPs of the package's config (fixtures/models). */
export function figuresTest(ctx: ScaffoldContext): string {
  const T = ctx.token;
  return `import { beforeAll, describe, it } from 'vitest';
import { useBackend } from '@plugconv/core';
import { expectFigures, packageTestKit, type ConfigFigures } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';

const { configModel } = packageTestKit(import.meta.url, modules);

beforeAll(() => useBackend('wasm'));

// The starter computes exactly what the block it replaces computes, so fixtures/models/${configName(ctx)} has
// yolov8n's figures (ultralytics 8.2.82: 3,157,200 params, gradients = params - the frozen DFL's 16, GFLOPs at
// 1x3x640x640). Once ${T} differs, pin its own figures here (and in the README's Figures).
const FIGURES: Record<string, ConfigFigures> = {
  n: { params: 3157200, gradients: 3157184, gflops: 8.858 },
};

describe('${configName(ctx)}', () => {
  it.each(Object.keys(FIGURES))('at %s: params and gradients exactly, GFLOPs within 0.5 percent', (scale) => {
    expectFigures(configModel('${configName(ctx)}', scale), FIGURES[scale]!);
  });
});
`;
}

/** The package's config in fixtures/models: yolov8 with the token in place of the blocks it replaces. */
export function configName(ctx: ScaffoldContext): string {
  return `yolov8-${ctx.token}.yaml`;
}

/** test/<name>.browser.test.ts: the GPU suite, the same fixtures on webgl, webgpu and browser wasm. */
export function browserTest(ctx: ScaffoldContext): string {
  return `import { describeBrowserParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

// every fixture in fixtures/modules and fixtures/models on webgl, webgpu and browser wasm (headless Chromium)
describeBrowserParity('${ctx.name}', import.meta.url, new Registry(coreModules, modules), import.meta.glob('../fixtures/{modules,models}/*.json', { eager: true, import: 'default' }));
`;
}
