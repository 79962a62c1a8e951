import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, makeDivisibleUltralytics as makeDivisible, modelName, parseYoloConfig, pyLiteral, pyRound, scaledName, scaleFromName, summarize, unscaledName } from '../src/index.js';
import { loadYoloConfig, unscaledPath } from '../src/node.js';
import { coreRegistry, fixturePath, fromYaml } from './helpers.js';

describe('python semantics', () => {
  it("round() is half to even and make_divisible rounds up to 8", () => {
    expect([0.5, 1.5, 2.5, 3.5, 1.98, 2.01].map(pyRound)).toEqual([0, 2, 2, 4, 2, 2]);
    expect([makeDivisible(64 * 0.25), makeDivisible(1024 * 0.125), makeDivisible(20), makeDivisible(768 * 0.75)]).toEqual([16, 128, 24, 576]);
  });
  it('YAML string arguments: names, literals, and strings kept', () => {
    const scope = { nc: 80 };
    expect(['nc', 'None', 'True', '3', '0.5', '[1, 2]', 'nearest', 'RE'].map((s) => pyLiteral(s, scope))).toEqual([80, null, true, 3, 0.5, [1, 2], 'nearest', 'RE']);
  });
});

describe('scales and names', () => {
  it('yolov8n.yaml resolves to yolov8.yaml at n', () => {
    const p = fixturePath('models/yolov8n.yaml');
    expect(unscaledPath(p)).toEqual({ path: fixturePath('models/yolov8.yaml'), scale: 'n' });
    const cfg = loadYoloConfig(p);
    expect(cfg.scale).toBe('n');
    expect(modelName(cfg, 'n')).toBe('YOLOv8n');
  });
  it("the scale letter of a name, as ultralytics' guess_model_scale reads it", () => {
    const cases: [string, string | undefined][] = [
      ['yolov8s.yaml', 's'], ['/tmp/x/yolov8s.yaml', 's'], ['my-yolov8n-DSConv.yaml', 'n'], ['yolo11m.yaml', 'm'],
      ['yolo26x-p2.yaml', 'x'], ['yolov8.yaml', undefined], ['yolov8-p2.yaml', undefined], ['yolov8t.yaml', undefined], ['model.yaml', undefined],
    ];
    expect(cases.map(([n]) => scaleFromName(n))).toEqual(cases.map(([, s]) => s));
    expect(['yolov8n-C2f-DSConv.yaml', 'dir/yolo11s.yaml', 'yolov8.yaml'].map(unscaledName)).toEqual(['yolov8-C2f-DSConv.yaml', 'dir/yolo11.yaml', 'yolov8.yaml']);
    expect(scaledName('yolov8-C2f-DSConv.yaml', 'm')).toBe('yolov8m-C2f-DSConv.yaml');
  });
  it('a file whose name carries a scale builds that scale, wherever it is and whether or not yolov8.yaml is beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugconv-scale-'));
    writeFileSync(join(dir, 'yolov8s.yaml'), readFileSync(fixturePath('models/yolov8.yaml')));
    const cfg = loadYoloConfig(join(dir, 'yolov8s.yaml'));
    expect([cfg.scale, cfg.yamlFile]).toEqual(['s', 'yolov8s.yaml']);
    const warnings: string[] = [];
    const m = buildModel(cfg, { registry: coreRegistry, warn: (w) => warnings.push(w), ultralytics: '8.2' });
    expect([m.name, m.numParams(), warnings]).toEqual(['YOLOv8s', 11166560, []]);
  });
  it("the caller's scale wins over the name, and the name says what was built", () => {
    const cfg = loadYoloConfig(fixturePath('models/yolov8s.yaml'));
    const m = buildModel(cfg, { registry: coreRegistry, scale: 't', ultralytics: '8.2' });
    expect([m.name, m.numParams()]).toEqual(['YOLOv8t', 1174568]);
    expect(modelName(parseYoloConfig('nc: 1\nbackbone: []\nhead: []\n', 'my-model.yaml'), 'n')).toBe('my-model (n)');
  });
  it('text parsed under a file name takes its scale from the name (the browser way)', () => {
    const text = readFileSync(fixturePath('models/yolov8.yaml'), 'utf8');
    const m = buildModel(parseYoloConfig(text, 'yolov8m.yaml'), { registry: coreRegistry, warn: () => expect.unreachable(), ultralytics: '8.2' });
    expect([m.name, m.numParams()]).toEqual(['YOLOv8m', 25902640]);
  });
  it("no scale with scales present: the first, with ultralytics' warning", () => {
    const warnings: string[] = [];
    const text = 'nc: 3\nscales:\n  a: [1.0, 0.25, 1024]\n  b: [1.0, 1.0, 1024]\nbackbone:\n  - [-1, 2, C2f, [64]]\nhead:\n  - [[0], 1, Detect, [nc]]\n';
    const m = buildModel(parseYoloConfig(text), { registry: coreRegistry, warn: (w) => warnings.push(w) });
    expect(warnings).toEqual(["no model scale passed. Assuming scale='a'."]);
    expect(m.info[0]!.args).toEqual([3, 16, 2]);
    expect(m.head!.nc).toBe(3);
  });
  it('a scale from the name that the config does not list names the file', () => {
    const text = 'nc: 3\nscales:\n  a: [1.0, 0.25, 1024]\nbackbone:\n  - [-1, 2, C2f, [64]]\nhead:\n  - [[0], 1, Detect, [nc]]\n';
    expect(() => buildModel(parseYoloConfig(text, 'yolov9x.yaml'), { registry: coreRegistry })).toThrow("yolov9x.yaml: scale 'x' (from the file name yolov9x.yaml) is not one of a");
  });
  it('repeats: n > 1 scales by depth with round half even, n == 1 stays', () => {
    const m = fromYaml('nc: 1\ndepth_multiple: 0.5\nbackbone:\n  - [-1, 3, C2f, [8]]\n  - [-1, 5, C2f, [8]]\n  - [-1, 1, C2f, [8]]\nhead: []\n');
    expect(m.info.map((l) => l.args[2])).toEqual([2, 2, 1]);
  });
  it('repeated conv-rule rows become a Sequential of copies (keys model.i.j.…)', () => {
    const m = fromYaml('nc: 1\nbackbone:\n  - [-1, 2, Conv, [8, 3]]\nhead: []\n');
    expect(m.namedParameters().map(([k]) => k)).toContain('model.0.1.conv.weight');
  });
  it('activation: replaces the default act of every Conv', () => {
    const m = fromYaml('nc: 1\nactivation: nn.ReLU()\nbackbone:\n  - [-1, 1, Conv, [8, 3]]\nhead: []\n');
    expect(m.namedModules().map(([, x]) => x.typeName)).toContain('ReLU');
    expect(m.namedModules().map(([, x]) => x.typeName)).not.toContain('SiLU');
  });
  it('p6 strides come from the dry run', () => {
    const m = fromYaml('nc: 2\nbackbone:\n  - [-1, 1, Conv, [8, 3, 2]]\n  - [-1, 1, Conv, [8, 3, 2]]\nhead:\n  - [[0, 1], 1, Detect, [nc]]\n');
    expect(m.stride).toEqual([2, 4]);
  });
});
