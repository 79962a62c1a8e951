import { describe, expect, it } from 'vitest';
import { buildModel, ConfigError, coreModules, createModule, Detect, fuse, Identity, parseYoloConfig, Registry, SiLU, SPPF, summarize, summaryLine, ultralyticsVersion, type BuildOptions } from '../src/index.js';
import { loadYoloConfig } from '../src/node.js';
import { fixturePath } from './helpers.js';

const registry = new Registry(coreModules);
const build = (text: string, options: Partial<BuildOptions> = {}) => buildModel(parseYoloConfig(text, 'test.yaml'), { registry, warn: () => {}, ...options });
const headOf = (m: ReturnType<typeof build>) => m.head as Detect;
const keys = (m: ReturnType<typeof build>) => m.namedParameters().map(([k]) => k);

const BACKBONE = `backbone:
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, Conv, [64, 3, 2]]
`;

describe('top-level reg_max and end2end go to every Detect row', () => {
  it('defaults: reg_max 16 with a DFL, no one-to-one branches', () => {
    const m = build(`nc: 3\n${BACKBONE}head:\n  - [[0, 1], 1, Detect, [nc]]\n`);
    expect(m.info[2]!.args).toEqual([3, 16, false, [32, 64], true]);
    expect(keys(m)).toContain('model.2.dfl.conv.weight');
    expect(keys(m).some((k) => k.includes('one2one'))).toBe(false);
  });
  it('reg_max 1: no DFL (distances regressed directly), 4 box channels; end2end: one2one_cv2 / one2one_cv3 copies', () => {
    const m = build(`nc: 3\nreg_max: 1\nend2end: True\n${BACKBONE}head:\n  - [[0, 1], 1, Detect, [nc]]\n`);
    const head = headOf(m);
    expect(m.info[2]!.args).toEqual([3, 1, true, [32, 64], true]);
    expect([head.regMax, head.end2end, head.dfl instanceof Identity]).toEqual([1, true, true]);
    expect(keys(m)).not.toContain('model.2.dfl.conv.weight');
    const sd = m.stateDict();
    expect(sd.get('model.2.one2one_cv2.1.2.weight')!.shape).toEqual([4, 16, 1, 1]);
    // ultralytics deep-copies the one-to-many branch: same values
    expect(sd.get('model.2.one2one_cv3.0.0.conv.weight')!.arraySync()).toEqual(sd.get('model.2.cv3.0.0.conv.weight')!.arraySync());
    expect(m.numGradients()).toBe(m.numParams());
  });
  it('8.4 width rule: every base-rule c2 is width-scaled, nc or not (8.2 kept a c2 equal to nc)', () => {
    const text = `nc: 80\nwidth_multiple: 0.25\nbackbone:\n  - [-1, 1, Conv, [80, 3, 2]]\nhead: []\n`;
    expect(build(text).info[0]!.args.slice(0, 2)).toEqual([3, 24]);
    expect(build(text, { ultralytics: '8.2' }).info[0]!.args.slice(0, 2)).toEqual([3, 80]);
  });
});

describe('scale-dependent arguments are declared by the specs', () => {
  // every scale of the same tiny size: only the scale key differs
  const SCALED = `nc: 2\nscales:\n${['n', 's', 'm', 'l', 'x'].map((k) => `  ${k}: [1.0, 1.0, 1024]\n`).join('')}${BACKBONE}`;
  it("C3k2's c3k is True at m, l and x (as written at n and s)", () => {
    const text = `${SCALED}  - [-1, 1, C3k2, [128, False, 0.25]]\n  - [-1, 1, C3k2, [128, True]]\nhead: []\n`;
    const c3k = (scale: string) => build(text, { scale }).info.filter((l) => l.type === 'C3k2').map((l) => l.args);
    expect(c3k('n')).toEqual([[64, 128, 1, false, 0.25], [128, 128, 1, true]]);
    expect(c3k('s')).toEqual(c3k('n'));
    for (const s of ['m', 'l', 'x']) expect(c3k(s)).toEqual([[64, 128, 1, true, 0.25], [128, 128, 1, true]]);
  });
  it('A2C2f gets (residual=True, mlp_ratio=1.2) appended at l and x', () => {
    const text = `${SCALED}  - [-1, 1, A2C2f, [64, True, 4]]\nhead: []\n`;
    const a2 = (scale: string) => build(text, { scale }).info[2]!.args;
    for (const s of ['n', 's', 'm']) expect(a2(s)).toEqual([64, 64, 1, true, 4]);
    for (const s of ['l', 'x']) expect(a2(s)).toEqual([64, 64, 1, true, 4, true, 1.2]);
  });
  it('specs declare them without a parser branch: a registered spec with its own rule gets it too', () => {
    const own = new Registry(coreModules, [{ ...coreModules.find((s) => s.name === 'C3k2')!, name: 'MyC3k2', package: 'test' }]);
    const m = buildModel(parseYoloConfig(`nc: 2\nscales:\n  m: [1, 0.25, 1024]\n${BACKBONE}  - [-1, 1, MyC3k2, [64]]\nhead:\n  - [[1, 2], 1, Detect, [nc]]\n`, 't.yaml'), { registry: own, scale: 'm', warn: () => {} });
    expect(m.info[2]!.args).toEqual([16, 16, 1, true]);
    expect(headOf(m).legacy).toBe(false);
  });
});

describe('the head style follows the modules before the head', () => {
  it('no C3k2 / A2C2f: the legacy class branch (Conv, Conv, Conv2d)', () => {
    const m = build(`nc: 3\n${BACKBONE}head:\n  - [[0, 1], 1, Detect, [nc]]\n`);
    expect(headOf(m).legacy).toBe(true);
    expect(keys(m)).toContain('model.2.cv3.0.0.conv.weight');
  });
  it('a C3k2 anywhere before: the depthwise class branch ((DWConv, Conv), (DWConv, Conv), Conv2d)', () => {
    const m = build(`nc: 3\n${BACKBONE}  - [-1, 1, C3k2, [64, False]]\nhead:\n  - [[1, 2], 1, Detect, [nc]]\n`);
    expect(headOf(m).legacy).toBe(false);
    const sd = m.stateDict();
    expect(sd.get('model.3.cv3.0.0.0.conv.weight')!.shape).toEqual([64, 1, 3, 3]);
    expect(sd.get('model.3.cv3.0.0.1.conv.weight')!.shape).toEqual([64, 64, 1, 1]);
  });
});

describe('ultralytics semantics: a build option, a YAML key, part of the model info', () => {
  const sppfAct = (m: ReturnType<typeof build>) => (m.model.items[2] as SPPF).cv1.act;
  const text = `nc: 3\n${BACKBONE}  - [-1, 1, SPPF, [64, 5]]\nhead:\n  - [[1, 2], 1, Detect, [nc]]\n`;
  it('8.4 by default: SPPF cv1 without activation', () => {
    const m = build(text);
    expect([m.ultralytics, summarize(m, 64).ultralytics]).toEqual(['8.4', '8.4']);
    expect(sppfAct(m)).toBeInstanceOf(Identity);
  });
  it("a YAML's top-level `ultralytics: 8.2` selects 8.2 (SPPF cv1 with SiLU); BuildOptions.ultralytics overrides it", () => {
    const m = build(`ultralytics: 8.2\n${text}`);
    expect(m.ultralytics).toBe('8.2');
    expect(sppfAct(m)).toBeInstanceOf(SiLU);
    expect(build(`ultralytics: 8.2\n${text}`, { ultralytics: '8.4' }).ultralytics).toBe('8.4');
    expect(build(`ultralytics: '8.4.104'\n${text}`, { ultralytics: '8.2' }).ultralytics).toBe('8.2');
  });
  it('fixture and checkpoint versions map to the semantics; anything else is refused', () => {
    expect(['8.2.82', '8.4.104', '8.0.1', '8.3.40', 8.2, '8.4'].map((v) => ultralyticsVersion(v))).toEqual(['8.2', '8.4', '8.2', '8.2', '8.2', '8.4']);
    expect(() => build(`ultralytics: 9.1\n${text}`)).toThrow(/top-level 'ultralytics': ultralytics version must be 8\.2 or 8\.4 .*got 9\.1/);
  });
  it("the summary counts layers as that ultralytics does: 8.2 every module, 8.4 the leaves (yolov8n: 225 / 130, fused 168 / 73)", () => {
    const counts = (ultralytics: '8.2' | '8.4') => {
      const m = buildModel(loadYoloConfig(fixturePath('models/yolov8.yaml')), { registry, scale: 'n', ultralytics });
      const before = summarize(m, 64).layers;
      fuse(m);
      const after = summarize(m, 64).layers;
      m.dispose();
      return [before, after];
    };
    expect(counts('8.2')).toEqual([225, 168]);
    expect(counts('8.4')).toEqual([130, 73]);
  });
  it('the summary line is printed as that ultralytics prints it (8.4 groups digits)', () => {
    const line = (ultralytics: '8.2' | '8.4') => {
      const m = buildModel(loadYoloConfig(fixturePath('models/yolov8n.yaml')), { registry, ultralytics });
      const l = summaryLine(summarize(m));
      m.dispose();
      return l;
    };
    expect(line('8.2')).toBe('YOLOv8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs');
    expect(line('8.4')).toBe('YOLOv8n summary: 130 layers, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs');
  });
  it('a module on its own: createModule applies the same rule', () => {
    const spec = registry.get('SPPF')!;
    expect((createModule(spec, [32, 32, 5]) as SPPF).cv1.act).toBeInstanceOf(Identity);
    expect((createModule(spec, [32, 32, 5], { ultralytics: '8.2' }) as SPPF).cv1.act).toBeInstanceOf(SiLU);
  });
});

describe('errors in the new grammar name the row', () => {
  const head = (top: string) => build(`nc: 3\n${top}${BACKBONE}head:\n  - [[0, 1], 1, Detect, [nc]]\n`);
  it('reg_max not a positive integer', () => {
    expect(() => head('reg_max: 0\n')).toThrow(ConfigError);
    expect(() => head('reg_max: 0\n')).toThrow(/row 2 \[\[0,1\],1,"Detect",\["nc"\]\]: Detect argument 'reg_max' must be a positive int, got 0/);
    expect(() => head('reg_max: 1.5\n')).toThrow(/row 2 .*Detect argument 'reg_max' must be a positive int, got 1\.5/);
  });
  it('end2end not a boolean', () => {
    expect(() => head('end2end: "yes"\n')).toThrow(/row 2 .*Detect argument 'end2end' must be bool, got "yes"/);
  });
  it('an A2C2f whose hidden width int(c2*e) is not a multiple of 32', () => {
    expect(() => build(`nc: 3\n${BACKBONE}  - [-1, 1, A2C2f, [48]]\nhead: []\n`)).toThrow(/row 2 \[-1,1,"A2C2f",\[48\]\]: A2C2f\(64, 48, 1\) failed: A2C2f: hidden width int\(c2\*e\) = int\(48\*0\.5\) = 24 is not a multiple of 32/);
  });
  it('C2PSA with c1 != c2', () => {
    expect(() => build(`nc: 3\n${BACKBONE}  - [-1, 1, C2PSA, [128]]\nhead: []\n`)).toThrow(/row 2 \[-1,1,"C2PSA",\[128\]\]: C2PSA\(64, 128, 1\) failed: C2PSA keeps its input width: c1 must equal c2, got c1=64, c2=128/);
  });
});
