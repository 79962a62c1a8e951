import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PyObject, readCheckpoint, stateDictToTf, tensorToFloat32, toPlain, type CheckpointTensor } from '../src/index.js';
import { readCheckpointFile } from '../src/node.js';
import { checkpointBytes, checkpointPath as path } from './checkpoint-helpers.js';
const json = (name: string) => JSON.parse(readFileSync(path(name), 'utf8')) as Record<string, unknown>;

/** Sum of |x| over every floating tensor, in float64 (PyTorch's figure, from the same fp16 values). */
const absSum = (sd: Map<string, CheckpointTensor>) =>
  [...sd.values()].filter((t) => t.dtype[0] === 'F' || t.dtype === 'BF16').reduce((a, t) => a + tensorToFloat32(t).reduce((s, x) => s + Math.abs(x), 0), 0);

describe('the public ultralytics checkpoints', () => {
  // figures from PyTorch: len(model.state_dict()), sum(|x|) over its float tensors, model.0.conv.weight[:4]
  const cases = [
    {
      file: 'yolov8-C2f-DSConv-t',
      entry: 'model',
      version: '8.2.82',
      semantics: '8.2',
      keys: 355,
      last: ['model.22.dfl.conv.weight', [1, 16, 1, 1]],
      w0: [0.0904541015625, -0.1409912109375, 0.123291015625, 0.218017578125],
      abs: 45918.875355660915,
      names: ['class0', 'class79'],
      sppfAct: 'SiLU',
    },
    {
      file: 'yolo11-C3k2-DSConv-t',
      entry: 'model',
      version: '8.4.104',
      semantics: '8.4',
      keys: 499,
      last: ['model.23.dfl.conv.weight', [1, 16, 1, 1]],
      w0: [-0.12432861328125, -0.1912841796875, -0.50048828125, -0.10107421875],
      abs: 49204.94960749149,
      names: ['class0', 'class79'],
      sppfAct: 'Identity',
    },
    {
      file: 'yolo26-t',
      entry: 'ema',
      version: '8.4.104',
      semantics: '8.4',
      keys: 708,
      last: ['model.23.one2one_cv3.2.2.bias', [80]],
      w0: [0.006488800048828125, 0.0714111328125, 0.08428955078125, -0.174560546875],
      abs: 55329.35340422392,
      names: ['0', '79'],
      sppfAct: 'Identity',
    },
  ] as const;

  it.each(cases.map((c) => [c.file, c] as const))('%s.pt: model, state dict, names, version and semantics', (_, c) => {
    const ck = readCheckpointFile(path(`${c.file}.pt`));
    expect(ck.format).toBe('ultralytics');
    expect(ck.entry).toBe(c.entry);
    expect(ck.modelClass).toBe('ultralytics.nn.tasks.DetectionModel');
    expect(ck.task).toBe('detect');
    expect(ck.head).toBe('Detect');
    expect(ck.version).toBe(c.version);
    expect(ck.date).toBe('2026-07-24T00:00:00');
    expect(ck.parameterCount).toBe(json(`${c.file}.json`).params);
    expect(ck.stride).toEqual([8, 16, 32]);
    expect(ck.names).toHaveLength(80);
    expect([ck.names![0], ck.names![79]]).toEqual(c.names);
    expect(ck.trainArgs).toEqual({ model: 'custom.yaml', data: 'coco8.yaml', epochs: 100, imgsz: 640 });
    expect(ck.yaml?.scale).toBe('t');
    expect(ck.yaml?.nc).toBe(80);

    const keys = [...ck.stateDict.keys()];
    expect(keys).toHaveLength(c.keys);
    expect(keys.slice(0, 6)).toEqual(['model.0.conv.weight', 'model.0.bn.weight', 'model.0.bn.bias', 'model.0.bn.running_mean', 'model.0.bn.running_var', 'model.0.bn.num_batches_tracked']);
    const [lastKey, lastShape] = c.last;
    expect(keys.at(-1)).toBe(lastKey);
    expect(ck.stateDict.get(lastKey)!.shape).toEqual(lastShape);
    const w0 = ck.stateDict.get('model.0.conv.weight')!;
    expect(w0.dtype).toBe('F16');
    expect(w0.shape).toEqual([8, 3, 3, 3]);
    expect(Array.from(tensorToFloat32(w0).subarray(0, 4))).toEqual(c.w0);
    expect(ck.stateDict.get('model.0.bn.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] });
    expect(absSum(ck.stateDict)).toBeCloseTo(c.abs, 2);

    expect(ck.activations.get('model.9.cv1')?.name).toBe(c.sppfAct);
    expect(ck.activations.get('model.9.cv2')).toEqual({ name: 'SiLU', module: 'torch.nn.modules.activation', attrs: { inplace: true } });
    expect(ck.activations.get('model.0')?.name).toBe('SiLU');
    expect(ck.semantics?.version).toBe(c.semantics);
    expect(ck.semantics?.reason).toContain(`SPPF at model.9 has cv1.act ${c.sppfAct}`);
  });

  it('yolov8-C2f-DSConv-t.pt: the YAML dict as the model holds it, and the DSConv modules by their own class path', () => {
    const ck = readCheckpointFile(path('yolov8-C2f-DSConv-t.pt'));
    expect(ck.yaml?.backbone).toHaveLength(10);
    expect((ck.yaml!.backbone as unknown[])[2]).toEqual([-1, 3, 'C2f_DSConv', [128, true]]);
    expect((ck.yaml!.head as unknown[])[0]).toEqual([-1, 1, 'nn.Upsample', ['None', 2, 'nearest']]);
    expect((ck.yaml!.scales as Record<string, unknown>).t).toEqual([0.33, 0.125, 1024]);
    const layer2 = (ck.model!.attr('_modules') as Map<string, PyObject>).get('model')!.attr('_modules') as Map<string, PyObject>;
    expect(layer2.get('2')!.cls.qualname).toBe('ultralytics.nn.Addmodules.plugins.C2f_DSConv');
  });

  it('yolo26-t.pt: the getattr a YOLO26 head pickles stays an inert attribute reference', () => {
    const ck = readCheckpointFile(path('yolo26-t.pt'));
    const found: string[] = [];
    const seen = new Set<unknown>();
    const visit = (v: unknown): void => {
      if (!v || typeof v !== 'object' || seen.has(v)) return;
      seen.add(v);
      if (v.constructor.name === 'PyAttribute') found.push(`${(v as { owner: PyObject }).owner.className}.${(v as { name: string }).name}`);
      if (v instanceof PyObject) visit(v.state);
      else if (v instanceof Map) for (const x of v.values()) visit(x);
      else if (Array.isArray(v)) v.forEach(visit);
    };
    visit(ck.root);
    expect(found).toEqual(['Detect.postprocess']);
    expect(ck.yaml?.end2end).toBe(true);
  });

  it('float32: true converts the fp16 state dict, value for value', () => {
    const bytes = checkpointBytes('yolo11-C3k2-DSConv-t.pt');
    const half = readCheckpoint(bytes).stateDict;
    const full = readCheckpoint(bytes, { float32: true }).stateDict;
    const w = full.get('model.2.m.0.cv1.conv.weight')!;
    expect(w.dtype).toBe('F32');
    expect(w.bytes.length).toBe(4 * 8 * 8);
    expect(Array.from(tensorToFloat32(w))).toEqual(Array.from(tensorToFloat32(half.get('model.2.m.0.cv1.conv.weight')!)));
    expect(full.get('model.0.bn.num_batches_tracked')!.dtype).toBe('I64');
  });
});

describe('tensors: dtypes, views and byte order', () => {
  // state_dict_dtypes.pt: base = arange(24).reshape(2, 3, 4); each dtype holds base - 12 (uint8: base), bool base % 3 == 0
  const arange = Array.from({ length: 24 }, (_, i) => i);
  const files = ['state_dict_dtypes.pt', 'state_dict_bigendian.pt'];

  it.each(files)('%s: every dtype, a transposed view, a slice with an offset, a shared storage', (file) => {
    const ck = readCheckpointFile(path(file));
    expect(ck.format).toBe('state-dict');
    expect(ck.semantics).toBeUndefined();
    const sd = ck.stateDict;
    const dtypes = { float16: 'F16', bfloat16: 'BF16', float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8' };
    for (const [name, dtype] of Object.entries(dtypes)) {
      const t = sd.get(name)!;
      expect(t.dtype, name).toBe(dtype);
      expect(t.shape).toEqual([2, 3, 4]);
      expect(Array.from(tensorToFloat32(t)), name).toEqual(arange.map((x) => (name === 'uint8' ? x : x - 12)));
    }
    expect(sd.get('bool')!.dtype).toBe('BOOL');
    expect(Array.from(sd.get('bool')!.bytes)).toEqual(arange.map((x) => (x % 3 === 0 ? 1 : 0)));
    expect(Array.from(tensorToFloat32(sd.get('float32_half')!))).toEqual([0.5, -2.25, 65504, 0.0001000165939331054688]);
    // full = arange(24).float().reshape(2, 3, 4)
    const t = sd.get('transposed')!;
    expect(t.shape).toEqual([4, 3, 2]);
    const expected: number[] = [];
    for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) expected.push(i * 12 + j * 4 + k);
    expect(Array.from(tensorToFloat32(t))).toEqual(expected);
    expect(Array.from(tensorToFloat32(sd.get('offset_slice')!))).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    expect(Array.from(tensorToFloat32(sd.get('shared_row')!))).toEqual([8, 9, 10, 11]);
    expect(sd.get('scalar')).toMatchObject({ dtype: 'I64', shape: [] });
    expect(Array.from(tensorToFloat32(sd.get('scalar')!))).toEqual([7]);
  });

  it('stateDictToTf: float types become float32, integer types int32', () => {
    const tensors = stateDictToTf(readCheckpointFile(path('state_dict_dtypes.pt')).stateDict);
    try {
      expect(tensors.get('bfloat16')!.dtype).toBe('float32');
      expect(tensors.get('int8')!.dtype).toBe('int32');
      expect(Array.from(tensors.get('int8')!.dataSync()).slice(0, 3)).toEqual([-12, -11, -10]);
      expect(tensors.get('transposed')!.shape).toEqual([4, 3, 2]);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  });
});

describe('other ultralytics files', () => {
  it('a last.pt with ema, an IterableSimpleNamespace and numpy fitness values reads, inert', () => {
    const ck = readCheckpointFile(path('tiny_detect_last.pt'));
    expect(ck).toMatchObject({ entry: 'ema', task: 'detect', version: '8.4.104', epoch: 4, names: ['cat', 'dog'] });
    expect(ck.semantics).toEqual({ version: '8.4', reason: "SPPF at model.2 has cv1.act Identity (ultralytics 8.4 builds SPPF's cv1 without activation)" });
    expect(ck.trainArgs).toEqual({ imgsz: 64, fitness: '<numpy.ndarray>' });
    expect((ck.root as Map<string, unknown>).get('best_fitness')).toBe(0.25);
    expect(toPlain(ck.model!.attr('args'))).toEqual({ __class__: 'ultralytics.utils.IterableSimpleNamespace', imgsz: 64, task: 'detect' });
  });

  it('torch.save(model): the model at the top of the file', () => {
    const ck = readCheckpointFile(path('tiny_detect_model.pt'));
    expect(ck).toMatchObject({ format: 'ultralytics', entry: 'root', task: 'detect', names: ['cat', 'dog'], parameterCount: 20996 });
    expect(ck.version).toBeUndefined();
    expect(ck.stateDict.size).toBe(80);
  });

  it.each([
    ['classify.pt', 'classify', 'ultralytics.nn.tasks.ClassificationModel', 'Classify'],
    ['segment.pt', 'segment', 'ultralytics.nn.tasks.SegmentationModel', 'Segment'],
  ])('%s reads and says its task', (file, task, modelClass, head) => {
    const ck = readCheckpointFile(path(file));
    expect(ck).toMatchObject({ task, modelClass, head });
  });

  it('toPlain stops a value that shares itself exponentially', () => {
    let v: unknown = [1];
    for (let i = 0; i < 40; i++) v = [v, v];
    const flat = JSON.stringify(toPlain(v, 64, 1000));
    expect(flat.length).toBeLessThan(20_000);
    expect(flat).toContain('<...>');
  });

  it('toPlain keeps a key named __proto__ as data', () => {
    const plain = toPlain(new Map([['__proto__', 1], ['a', [2, 3n ** 40n]]])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['__proto__', 'a']);
    expect(plain.a).toEqual([2, '12157665459056928801']);
  });
});
