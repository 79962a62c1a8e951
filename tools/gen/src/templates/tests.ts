import type { ScaffoldContext } from './context.js';

/** test/helpers.ts: random states and a cpu-made reference, shared by the Node and GPU tests. */
export function testHelpers(ctx: ScaffoldContext): string {
  return `import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors, fromTorchLayout, toTorchLayout, type Module } from '@plugconv/core';

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

/**
 * A fixture in the PyTorch layout \`plugconv check\` reads (input, output, state.<key>), made here by running
 * \`m\` in eval mode on a seeded NCHW input: the reference other backends must match.
 */
export function makeFixture(m: Module<tf.Tensor, tf.Tensor>, inputNCHW: number[], seed: number): Uint8Array {
  m.eval();
  const input = tf.randomUniform(inputNCHW, -1, 1, 'float32', seed);
  const output = tf.tidy(() => toTorchLayout(m.forward(fromTorchLayout(input))));
  const tensors = new Map<string, tf.Tensor>([['input', input], ['output', output]]);
  for (const [key, t] of m.stateDict()) tensors.set(\`state.\${key}\`, t);
  const bytes = encodeSafetensors(tensors);
  for (const t of tensors.values()) t.dispose();
  return bytes;
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

function ruleCases(ctx: ScaffoldContext): RuleCases {
  const T = ctx.token;
  if (ctx.rule === 'repeat') {
    return {
      imports: 'C2f, ',
      shape: `  it('maps (N, H, W, c1) to (N, H, W, c2) for any n, shortcut, groups and e', () => {
    const x = tf.randomNormal([2, 16, 16, 16], 0, 1, 'float32', 1);
    const cases: [ConstructorParameters<typeof ${T}>, number[]][] = [
      [[16, 32], [2, 16, 16, 32]],
      [[16, 16, 2, true], [2, 16, 16, 16]],
      [[16, 64, 3, false, 4, 0.25], [2, 16, 16, 64]],
    ];
    for (const [args, shape] of cases) {
      const m = new ${T}(...args);
      const y = m.forward(x);
      expect(y.shape, JSON.stringify(args)).toEqual(shape);
      y.dispose();
      m.dispose();
    }
    x.dispose();
  });`,
      errors: `  it('refuses bad arguments with an error naming the module and the argument', () => {
    expect(() => new ${T}(0, 16)).toThrow(/${T}: c1 must be a positive integer, got 0/);
    expect(() => new ${T}(16, 32, 1.5)).toThrow(/${T}: n must be a positive integer, got 1.5/);
    expect(() => new ${T}(16, 1, 1, false, 1, 0.5)).toThrow(/${T}: e must leave at least one hidden channel/);
  });`,
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
      yaml: `  it('builds from a YAML in place of C2f (rule repeat: c2 scaled by width, the row count becomes n)', () => {
    const model = buildModel(parseYoloConfig(yaml('C2f', '${T}'), 'yolov8n-${T}.yaml'), { registry, scale: 'n', warn: () => {} });
    const rows = model.info.filter((l) => l.type === '${T}');
    expect(rows.map((l) => l.args)).toEqual([[32, 32, 1, true], [96, 32, 1], [96, 64, 1]]);
    checkPredict(model);
  });`,
    };
  }
  const fixed = ctx.rule === 'fixed';
  return {
    imports: '',
    shape: `  it('maps (N, H, W, c1) to (N, H/s, W/s, c2) like Conv, for any k, stride, groups and dilation', () => {
    const x = tf.randomNormal([2, 16, 16, 8], 0, 1, 'float32', 1);
    const cases: [ConstructorParameters<typeof ${T}>, number[]][] = [
      [[8, 16], [2, 16, 16, 16]],
      [[8, 16, 3, 2], [2, 8, 8, 16]],
      [[8, 16, 3, 1, null, 4, 2], [2, 16, 16, 16]],
      [[8, 16, 3, 2, null, 1, 2], [2, 8, 8, 16]],
      [[8, 8, 5, 1, 1, 8, 1, false], [2, 14, 14, 8]],
    ];
    for (const [args, shape] of cases) {
      const m = new ${T}(...args);
      const y = m.forward(x);
      expect(y.shape, JSON.stringify(args)).toEqual(shape);
      y.dispose();
      m.dispose();
    }
    x.dispose();
  });`,
    errors: `  it('refuses bad arguments with an error naming the module and the argument', () => {
    expect(() => new ${T}(0, 16)).toThrow(/${T}: c1 must be a positive integer, got 0/);
    expect(() => new ${T}(8, 16, 3, 0)).toThrow(/${T}: s must be a positive integer, got 0/);
    expect(() => new ${T}(8, 12, 3, 1, null, 5)).toThrow(/${T}: c1 8 and c2 12 must be divisible by g 5/);
  });`,
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
      ? `  it('builds from a YAML in place of Conv (rule fixed: c2 as written, never scaled by width)', () => {
    const model = buildModel(parseYoloConfig(yaml('Conv', '${T}', [32, 64, 32]), 'yolov8n-${T}.yaml'), { registry, scale: 'n', warn: () => {} });
    const rows = model.info.filter((l) => l.type === '${T}');
    expect(rows.map((l) => l.args)).toEqual([[16, 32, 3, 2], [32, 64, 3, 2], [32, 32, 3, 2]]);
    checkPredict(model);
  });`
      : `  it('builds from a YAML in place of Conv (rule conv: c2 scaled by width)', () => {
    const model = buildModel(parseYoloConfig(yaml('Conv', '${T}'), 'yolov8n-${T}.yaml'), { registry, scale: 'n', warn: () => {} });
    const rows = model.info.filter((l) => l.type === '${T}');
    expect(rows.map((l) => l.args)).toEqual([[16, 32, 3, 2], [32, 64, 3, 2], [32, 32, 3, 2]]);
    checkPredict(model);
  });`,
  };
}

/** test/<name>.test.ts: the Node suite (shape, errors, gradients on cpu, state dict, parity, YAML, fixtures). */
export function nodeTest(ctx: ScaffoldContext): string {
  const T = ctx.token;
  const c = ruleCases(ctx);
  return `import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, ${c.imports}compareOutputs, coreModules, decodeSafetensors, encodeSafetensors, parseYoloConfig, Registry, summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { checkFixture } from '@plugconv/core/node';
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

// PyTorch parity: every fixtures/<case>.safetensors (input, output, state.<key> in PyTorch layout) with its
// <case>.json ({ "module": "${T}", "args": [c1, ...], "params": n }); see docs/guides/writing-a-module.md.
const fixtureDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const fixtures = existsSync(fixtureDir) ? readdirSync(fixtureDir).filter((f) => f.endsWith('.safetensors')).sort() : [];
const byMeta = (meta: Record<string, unknown>) => {
  const spec = registry.get(String(meta.module));
  if (!spec) throw new Error(\`fixture module '\${String(meta.module)}' is not registered\`);
  return spec.create(...(meta.args as unknown[]));
};

describe.skipIf(fixtures.length === 0).each(['cpu', 'wasm'] as const)('PyTorch fixtures on %s', (backend) => {
  it.each(fixtures)('%s matches the reference', async (file) => {
    const r = await checkFixture(fixtureDir + file, byMeta, backend);
    if (r.fixture.meta.params !== undefined) expect(r.params).toBe(r.fixture.meta.params);
    expect(r.pass, \`max |err| \${r.maxAbsError}\`).toBe(true);
  });
});
`;
}

/** test/<name>.browser.test.ts: the GPU suite (vitest browser mode, @plugconv/test-harness's backends). */
export function browserTest(ctx: ScaffoldContext): string {
  const T = ctx.token;
  const args = ctx.rule === 'repeat' ? '16, 32, 2, true, 2' : '8, 16, 3, 2, null, 2';
  const inC = ctx.rule === 'repeat' ? 16 : 8;
  return `import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BROWSER_BACKENDS } from '@plugconv/test-harness/browser';
import { checkFixtureData, fixtureFromBytes, useBackend } from '@plugconv/core';
import { ${T} } from '../src/index.js';
import { makeFixture, randomizeState } from './helpers.js';

// Run with \`pnpm test:gpu\` (headless Chromium: webgl and webgpu, on SwiftShader without a GPU, and browser wasm).
const make = () => new ${T}(${args});

/** The reference: the module on the cpu backend with a random state, as a fixture in PyTorch layout. */
async function cpuReference(): Promise<Uint8Array> {
  await useBackend('cpu');
  const m = make();
  randomizeState(m, 13);
  const bytes = makeFixture(m, [1, ${inC}, 16, 16], 17);
  m.dispose();
  return bytes;
}

describe.each(BROWSER_BACKENDS)('${T} on %s', (backend) => {
  it('matches the cpu backend (eval, random weights and BN statistics)', async () => {
    const bytes = await cpuReference();
    const r = await checkFixtureData(fixtureFromBytes(bytes, {}, 'cpu reference'), make, backend);
    expect(r.pass, \`max |err| \${r.maxAbsError}\`).toBe(true);
  });

  it.skipIf(backend === 'wasm')('gets a non-zero gradient for every parameter', async () => {
    await useBackend(backend);
    const m = make();
    m.train();
    const vars = m.trainableVariables();
    const x = tf.randomNormal([2, 8, 8, ${inC}], 0, 1, 'float32', 2);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(x))) as tf.Scalar, vars);
    for (const v of vars) expect((await tf.sum(tf.abs(grads[v.name]!)).data())[0], v.name).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    m.dispose();
  });
});
`;
}
