import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ConfigError, decodeSafetensors, parseYoloConfig, readCheckpoint, readSafetensorsMetadata, runFixture, splitFixture, tensorToFloat32, useBackend } from '@plugconv/core';
import { loadYoloConfig, readCheckpointFile } from '@plugconv/core/node';
import { loadCheckpoint, type LoadedCheckpoint } from '../src/checkpoint.js';
import { loadCheckpointFile } from '../src/checkpoint-file.js';
import { checkpointSafetensors, float32ToFloat16Bits } from '../src/checkpoint-convert.js';
import { configYaml } from '../src/checkpoint-yaml.js';
import { loadModel } from '../src/configs.js';
import { registry } from '../src/registry.generated.js';

// Ultralytics checkpoints built into plugconv models: the public ones in @plugconv/core's fixtures (with what
// their fp16 weights compute in PyTorch), and this package's small ones (reference/make_yolo_checkpoint_fixtures.py)
const core = (name: string) => fileURLToPath(new URL(`../../core/fixtures/checkpoints/${name}`, import.meta.url));
const own = (name: string) => fileURLToPath(new URL(`../fixtures/checkpoints/${name}`, import.meta.url));
const bytesOf = (path: string) => new Uint8Array(readFileSync(path));
const quiet = { warn: () => {} };

/** The checkpoint's model on its reference input, by core's parity rule (the model is disposed). */
function parity(loaded: LoadedCheckpoint, reference: string) {
  const fixture = splitFixture(decodeSafetensors(bytesOf(reference), reference), reference);
  try {
    return runFixture(loaded.model, fixture);
  } finally {
    loaded.model.dispose();
    tf.dispose([fixture.input, fixture.output, ...(fixture.outputRaw ? [fixture.outputRaw] : [])]);
  }
}

/** The error `fn` throws (the test fails when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing was thrown');
}

describe('loadCheckpoint (bytes in: what a browser has)', () => {
  it('yolo26-t.pt (a last.pt: ema, end2end): built from its YAML dict with 8.4 semantics, PyTorch output_raw and top-k', async () => {
    await useBackend('cpu');
    const loaded = loadCheckpoint(bytesOf(core('yolo26-t.pt')), { source: 'yolo26-t.pt', ...quiet });
    expect(loaded).toMatchObject({ version: '8.4.104', task: 'detect', stride: [8, 16, 32], parameterCount: 774344, imgsz: 640 });
    expect(loaded.semantics).toEqual({ version: '8.4', reason: "SPPF at model.9 has cv1.act Identity (ultralytics 8.4 builds SPPF's cv1 without activation)" });
    expect(loaded.names).toHaveLength(80);
    expect(loaded.yaml).toMatchObject({ end2end: true, reg_max: 1, scale: 't' });
    expect(loaded.model.head?.end2end).toBe(true);
    expect(loaded.model.numParams()).toBe(774344);
    const r = parity(loaded, core('yolo26-t.safetensors'));
    expect(r.parts?.map((p) => p.what)).toEqual(['output_raw (boxes in grid cells)', 'output (top-k: ties may swap, boxes in grid cells)']);
    expect(r.pass).toBe(true);
  });

  it('yolov8-C2f-DSConv-t.pt (an ultralytics 8.2 best.pt): SPPF tells 8.2, PyTorch output', async () => {
    await useBackend('cpu');
    const loaded = loadCheckpoint(bytesOf(core('yolov8-C2f-DSConv-t.pt')), { source: 'yolov8-C2f-DSConv-t.pt', ...quiet });
    expect(loaded.semantics.version).toBe('8.2');
    expect(loaded.model.ultralytics).toBe('8.2');
    expect(loaded).toMatchObject({ version: '8.2.82', parameterCount: 1069608 });
    const r = parity(loaded, core('yolov8-C2f-DSConv-t.safetensors'));
    expect(r.elements).toBe(84 * 84);
    expect(r.pass).toBe(true);
  });

  it('yolo11-C3k2-DSConv-t.pt (a stripped best.pt with a DSConv block, classes pickled under a user module path): PyTorch output', async () => {
    await useBackend('cpu');
    const loaded = loadCheckpoint(bytesOf(core('yolo11-C3k2-DSConv-t.pt')), { source: 'yolo11-C3k2-DSConv-t.pt', ...quiet });
    expect(loaded).toMatchObject({ version: '8.4.104', parameterCount: 824696 });
    expect(loaded.names.slice(0, 2)).toEqual(['class0', 'class1']);
    expect(loaded.model.numParams()).toBe(824696);
    expect(parity(loaded, core('yolo11-C3k2-DSConv-t.safetensors')).pass).toBe(true);
  });

  it("a torch.save(model) file: the class names the model holds; a semantics the caller gives wins", () => {
    const loaded = loadCheckpoint(bytesOf(core('tiny_detect_model.pt')), { source: 'tiny.pt', ultralytics: '8.2', ...quiet });
    expect(loaded.names).toEqual(['cat', 'dog']);
    expect(loaded.semantics).toEqual({ version: '8.2', reason: 'chosen by the caller' });
    expect(loaded.model.head?.nc).toBe(2);
    loaded.model.dispose();
  });

  it('a plain state dict needs its YAML, and then builds with it and the fixture output', async () => {
    await useBackend('cpu');
    const e = thrown(() => loadCheckpoint(bytesOf(own('tiny_state_dict.pt')), { source: 'sd.pt' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/^sd\.pt is a torch\.save\(state_dict\) file \(\d+ tensors, no model object, config or class names\): give the YAML config it was trained from/);
    const yaml = readFileSync(own('tiny.yaml'), 'utf8');
    const loaded = loadCheckpoint(bytesOf(own('tiny_state_dict.pt')), { source: 'sd.pt', yaml, names: ['circle', 'square', 'triangle'], ...quiet });
    expect(loaded).toMatchObject({ task: 'unknown', names: ['circle', 'square', 'triangle'] });
    expect(loaded.semantics).toEqual({ version: '8.4', reason: 'a plain state dict does not say: 8.4 (the default) assumed' });
    expect(loaded.model.numParams()).toBe(JSON.parse(readFileSync(own('tiny.json'), 'utf8')).params);
    expect(parity(loaded, own('tiny.safetensors')).pass).toBe(true);
  });

  it('refuses classification and segmentation checkpoints, naming the task', () => {
    for (const [file, task, head] of [['classify.pt', 'classification', 'Classify'], ['segment.pt', 'segmentation', 'Segment']]) {
      const e = thrown(() => loadCheckpoint(bytesOf(core(file!)), { source: file }));
      expect(e).toBeInstanceOf(CheckpointError);
      expect((e as CheckpointError).code).toBe('wrong-task');
      expect(e.message).toContain(`${file} is a ${task} checkpoint (ultralytics.nn.tasks.${head === 'Classify' ? 'ClassificationModel' : 'SegmentationModel'}, head ${head}), not a detection one`);
    }
  });

  it('names a module its registry lacks, with the nearest tokens and what to do', () => {
    const e = thrown(() => loadCheckpoint(bytesOf(own('custom_module.pt')), { source: 'custom.pt' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/^custom\.pt: its model YAML does not build: row 2 .*unknown module 'C3k2_MyConv' \(did you mean [^)]*C3k2[^)]*\?\); the model was trained with a module plugconv does not have/);
    expect(registry.has('C3k2_MyConv')).toBe(false);
  });

  it('refuses a hostile pickle before anything is built, naming the global', () => {
    const e = thrown(() => loadCheckpoint(bytesOf(core('hostile_builtins_eval.pt')), { source: 'h.pt' }));
    expect((e as CheckpointError).code).toBe('refused-global');
    expect(e.message).toContain("h.pt: refused global '__builtin__.eval'");
  });
});

describe('in Node: loadCheckpointFile and loadModel(best.pt)', () => {
  it('loadModel builds a checkpoint with its weights, like a config path', async () => {
    await useBackend('cpu');
    const model = loadModel(core('yolov8-C2f-DSConv-t.pt'), quiet);
    const fixture = splitFixture(decodeSafetensors(bytesOf(core('yolov8-C2f-DSConv-t.safetensors'))));
    expect(runFixture(model, fixture).pass).toBe(true);
    model.dispose();
  });

  it('a state dict with a YAML file (default class names)', async () => {
    const loaded = loadCheckpointFile(own('tiny_state_dict.pt'), { yaml: loadYoloConfig(own('tiny.yaml')), ...quiet });
    expect(loaded.model.numParams()).toBe(181310);
    expect(loaded.names).toEqual(['class0', 'class1', 'class2']);
    loaded.model.dispose();
  });

  it('a missing file is named', () => {
    expect(() => loadCheckpointFile(own('nope.pt'))).toThrow(/nope\.pt: no such file/);
  });
});

describe('convert helpers', () => {
  it('float32ToFloat16Bits rounds to nearest even, with subnormals, overflow and NaN', () => {
    const x = Float32Array.from([0, -0, 1, -2, 65504, 65520, 1e6, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 2 ** -14, 1 + 2 ** -11, 1 + 3 * 2 ** -11, NaN, -Infinity, 0.1]);
    const h = Array.from(float32ToFloat16Bits(x), (v) => v.toString(16));
    expect(h).toEqual(['0', '8000', '3c00', 'c000', '7bff', '7c00', '7c00', '1', '0', '2', '400', '3c00', '3c02', '7e00', 'fc00', '2e66']);
  });

  it('every fp16 value of a checkpoint survives fp16 -> fp32 -> fp16', () => {
    const ck = readCheckpointFile(core('yolo26-t.pt'));
    const t = ck.stateDict.get('model.0.conv.weight')!;
    expect(t.dtype).toBe('F16');
    const back = float32ToFloat16Bits(tensorToFloat32(t));
    expect(Array.from(back)).toEqual(Array.from(new Uint16Array(t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.byteLength))));
  });

  it('checkpointSafetensors: fp32 (or fp16) state dict in ultralytics keys, the checkpoint in the metadata', () => {
    const ck = readCheckpointFile(core('tiny_detect_last.pt'));
    for (const half of [false, true]) {
      const bytes = checkpointSafetensors(ck, { half });
      const meta = readSafetensorsMetadata(bytes);
      expect(meta).toMatchObject({ format: 'pt', source: 'tiny_detect_last.pt', names: '["cat","dog"]', ultralytics_version: '8.4.104', ultralytics: '8.4', task: 'detect', imgsz: '64' });
      expect(JSON.parse(meta.yaml!)).toEqual(ck.yaml);
      const tensors = decodeSafetensors(bytes);
      expect([...tensors.keys()]).toEqual([...ck.stateDict.keys()]);
      const key = 'model.0.conv.weight';
      expect(Array.from(tensors.get(key)!.dataSync())).toEqual(Array.from(tensorToFloat32(ck.stateDict.get(key)!)));
      tf.dispose([...tensors.values()]);
    }
  });

  it('configYaml writes a dict that parses back to the same config (scale letters quoted as YAML 1.1 needs)', () => {
    const ck = readCheckpoint(bytesOf(core('yolo26-t.pt')), { source: 'yolo26-t.pt' });
    const text = configYaml(ck.yaml!, ['from yolo26-t.pt']);
    expect(text.split('\n').slice(0, 2)).toEqual(['# from yolo26-t.pt', 'nc: 80']);
    expect(text).toContain('  "n": [0.5, 0.25, 1024]\n');
    expect(text).toContain('  - [-1, 1, nn.Upsample, [None, 2, nearest]]\n');
    expect(parseYoloConfig(text, 'y.yaml')).toEqual(parseYoloConfig(JSON.stringify(ck.yaml), 'y.yaml'));
    expect(configYaml({ a: 'yes', b: 'x y', c: [true, null, 1.5], d: {} })).toBe('a: "yes"\nb: "x y"\nc: [true, null, 1.5]\nd: {}\n');
  });
});
