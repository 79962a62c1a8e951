import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors, readSafetensorsMetadata } from '@plugconv/core';
import { readSafetensors } from '@plugconv/core/node';
import { main } from '../src/cli.js';
import { createImage } from '../src/predict/image.js';
import { writeImage } from '../src/predict/image-io.js';
import { captureOutput } from './capture-output.js';

// The CLI on ultralytics checkpoints: info, check, convert and predict with a .pt, and every bad or hostile file
// ending in exit 2 with a message that says what the file is (core's broken and hostile fixtures, by path).
const core = (name: string) => fileURLToPath(new URL(`../../core/fixtures/checkpoints/${name}`, import.meta.url));
const own = (name: string) => fileURLToPath(new URL(`../fixtures/checkpoints/${name}`, import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const output = captureOutput();
const err = () => output.err.join('');

/** The public checkpoints and their references (yolo11-C3k2-DSConv-t needs the C3k2_DSConv token registered). */
const PUBLIC = ['yolo26-t', 'yolov8-C2f-DSConv-t', 'yolo11-C3k2-DSConv-t'];

let dir: string;
let image: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plugconv-ckpt-cli-'));
  image = join(dir, 'shapes.png');
  const img = createImage(96, 72);
  for (let y = 0; y < 72; y++) for (let x = 0; x < 96; x++) img.data.set([(x * 5) & 255, (y * 7) & 255, x > 30 && x < 70 && y > 20 && y < 50 ? 230 : 60], (y * 96 + x) * 3);
  writeImage(image, img);
});

describe('plugconv info CK.pt', () => {
  it.each(PUBLIC)("%s.pt --json: the fixture's params and the checkpoint's semantics", async (name) => {
    expect(await main(['info', core(`${name}.pt`), '--json'])).toBe(0);
    const j = JSON.parse(output.out.at(-1)!);
    const ref = json(core(`${name}.json`));
    expect(j.params).toBe(ref.params);
    expect(j.ultralytics).toBe(String(ref.ultralytics).startsWith('8.2') ? '8.2' : '8.4');
    expect(j.strides).toEqual([8, 16, 32]);
  });
  it('prints the layer table and the summary line named after the checkpoint', async () => {
    expect(await main(['info', core('yolov8-C2f-DSConv-t.pt')])).toBe(0);
    expect(output.out.at(-1)).toBe('YOLOv8t-C2f-DSConv-t summary: 225 layers, 1069608 parameters, 1069592 gradients, 3.8 GFLOPs');
  });
});

describe('plugconv check REF --weights CK.pt', () => {
  const cases = PUBLIC.flatMap((name) => ['cpu', 'wasm'].map((backend) => [name, backend]));
  it.each(cases)('%s passes on %s, printing the worst element and its index', async (name, backend) => {
    expect(await main(['check', core(`${name}.safetensors`), '--weights', core(`${name}.pt`), '--backend', backend!])).toBe(0);
    expect(output.out[0]).toMatch(new RegExp(`^model from .*${name}\\.pt, ultralytics 8\\.[24] semantics \\(SPPF at model\\.9 has cv1\\.act`));
    expect(output.out.join('\n')).toMatch(/output(_raw)? \(boxes in grid cells\): \d+ elements, max abs error [\d.e+-]+, worst \|err\|\/tol [\d.]+ at \[0, \d+, \d+\] \(got [-\d.e]+, reference [-\d.e]+\) PASS/);
    expect(output.out.at(-1)).toMatch(/^max abs error \d\.\d+e-\d+ PASS$/);
  });

  it('--save writes what the model computed; checking against it is exact', async () => {
    const saved = join(dir, 'y26-computed.safetensors');
    expect(await main(['check', core('yolo26-t.safetensors'), '--weights', core('yolo26-t.pt'), '--backend', 'cpu', '--save', saved])).toBe(0);
    const t = readSafetensors(saved);
    expect([...t.keys()]).toEqual(['input', 'output', 'output_raw']);
    expect(t.get('output')!.shape).toEqual([1, 84, 6]);
    expect(t.get('output_raw')!.shape).toEqual([1, 84, 84]);
    expect(readSafetensorsMetadata(new Uint8Array(readFileSync(saved)))).toMatchObject({ backend: 'cpu', weights: core('yolo26-t.pt') });
    tf.dispose([...t.values()]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(await main(['check', saved, '--weights', core('yolo26-t.pt'), '--backend', 'cpu'])).toBe(0);
    expect(output.out.at(-1)).toBe('max abs error 0.000e+0 PASS');
  });

  it('a wrong reference fails (exit 1) and names the worst element: the one that was changed', async () => {
    const t = readSafetensors(core('yolov8-C2f-DSConv-t.safetensors'));
    const out = t.get('output')!.bufferSync();
    out.set(out.get(0, 10, 20) + 0.5, 0, 10, 20);
    t.set('output', out.toTensor());
    const p = join(dir, 'wrong.safetensors');
    writeFileSync(p, encodeSafetensors(t));
    tf.dispose([...t.values()]);
    expect(await main(['check', p, '--weights', core('yolov8-C2f-DSConv-t.pt'), '--backend', 'cpu'])).toBe(1);
    expect(output.out.join('\n')).toMatch(/worst \|err\|\/tol [\d.]+ at \[0, 10, 20\] .* FAIL/);
    expect(output.out.at(-1)).toMatch(/FAIL$/);
  });

  it("takes the semantics from the fixture JSON for a plain state dict; --ultralytics overrides it", async () => {
    const args = ['check', own('tiny.safetensors'), '--cfg', own('tiny.yaml'), '--weights', own('tiny_state_dict.pt'), '--backend', 'cpu'];
    expect(await main(args)).toBe(0);
    expect(output.out[0]).toMatch(/ultralytics 8\.4 semantics \(.*tiny\.safetensors's JSON\)$/);
    // 8.2 builds SPPF's cv1 with SiLU: another function, so the same weights miss the reference
    expect(await main([...args, '--ultralytics', '8.2'])).toBe(1);
    expect(output.out.at(-1)).toMatch(/FAIL$/);
  });

  it('convert best.pt, then check REF --cfg best.yaml --weights best.safetensors (fp32 and --half)', async () => {
    for (const [name, half] of [['yolo26-t', false], ['yolov8-C2f-DSConv-t', true]] as const) {
      const st = join(dir, `${name}.safetensors`);
      const yaml = join(dir, `${name}-model.yaml`);
      expect(await main(['convert', core(`${name}.pt`), '-o', st, '--yaml', yaml, ...(half ? ['--half'] : [])])).toBe(0);
      expect(output.out.at(-1)).toMatch(new RegExp(`wrote .*${name}\\.safetensors \\(\\d+ tensors, ${half ? 'fp16' : 'fp32'}, [\\d.]+ MB\\) and .*${name}-model\\.yaml$`));
      const header = JSON.parse(readFileSync(st).subarray(8, 8 + Number(readFileSync(st).readBigUInt64LE(0))).toString());
      expect(header['model.0.conv.weight'].dtype).toBe(half ? 'F16' : 'F32');
      expect(header['model.0.bn.num_batches_tracked'].dtype).toBe('I64');
      expect(header.__metadata__).toMatchObject({ format: 'pt', source: `${name}.pt` });
      expect(readFileSync(yaml, 'utf8')).toMatch(/^# the model YAML saved in .*\n(# .*\n)*nc: 80\n/);
      expect(await main(['check', core(`${name}.safetensors`), '--cfg', yaml, '--weights', st, '--backend', 'cpu'])).toBe(0);
      expect(output.out.at(-1)).toMatch(/PASS$/);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('default output name: the checkpoint with .safetensors', async () => {
    const ck = join(dir, 'tiny.pt');
    writeFileSync(ck, readFileSync(core('tiny_detect_last.pt')));
    expect(await main(['convert', ck])).toBe(0);
    expect(existsSync(join(dir, 'tiny.safetensors'))).toBe(true);
  });
});

describe('plugconv predict CK.pt', () => {
  it("labels with the checkpoint's class names and predicts at its training imgsz (auto letterbox)", async () => {
    const o = join(dir, 'pred-tiny');
    // random weights with ultralytics' class bias init: scores near 1e-4, so every box above 0
    expect(await main(['predict', core('tiny_detect_last.pt'), '--source', image, '--out', o, '--conf', '0', '--backend', 'cpu'])).toBe(0);
    expect(output.out[0]).toMatch(/tiny_detect_last\.pt: 2 classes, loaded in \d+ ms on cpu$/);
    const j = json(join(o, 'predictions.json')) as { imgsz: number; rect: boolean; names: string[]; images: { detections: { name: string; cls: number }[] }[] };
    expect(j).toMatchObject({ imgsz: 64, rect: true, names: ['cat', 'dog'] });
    const dets = j.images[0]!.detections;
    expect(dets.length).toBeGreaterThan(0);
    for (const d of dets) expect(d.name).toBe(['cat', 'dog'][d.cls]);
  });

  it('an end2end model (yolo26): the top-k output filtered by confidence, no NMS', async () => {
    const o = join(dir, 'pred-y26');
    expect(await main(['predict', core('yolo26-t.pt'), '--source', image, '--out', o, '--imgsz', '96', '--conf', '0.3', '--no-save', '--backend', 'cpu'])).toBe(0);
    const j = json(join(o, 'predictions.json')) as { end2end: boolean; images: { detections: { conf: number; box: number[] }[] }[] };
    expect(j.end2end).toBe(true);
    const dets = j.images[0]!.detections;
    expect(dets.length).toBeGreaterThan(0);
    expect(dets.every((d) => d.conf > 0.3)).toBe(true);
    // in the top-k's order (descending scores), overlapping boxes kept: no NMS
    expect(dets.map((d) => d.conf)).toEqual([...dets.map((d) => d.conf)].sort((a, b) => b - a));
  });

  it('a YAML model with a state dict .pt as --weights; --names as a list, a data YAML, or from a converted file', async () => {
    const run = async (...extra: string[]) => {
      const o = join(dir, `pred-names-${extra.length}`);
      expect(await main(['predict', own('tiny.yaml'), '--source', image, '--out', o, '--conf', '0.01', '--no-save', '--backend', 'cpu', ...extra])).toBe(0);
      return json(join(o, 'predictions.json')).names;
    };
    expect(await run('--weights', own('tiny_state_dict.pt'), '--names', 'circle,square,triangle')).toEqual(['circle', 'square', 'triangle']);
    const data = join(dir, 'data.yaml');
    writeFileSync(data, 'path: shapes\nnames:\n  0: disc\n  1: box\n  2: wedge\n');
    expect(await run('--weights', own('tiny_state_dict.pt'), '--names', data, '--imgsz', '64')).toEqual(['disc', 'box', 'wedge']);
    expect(await main(['predict', own('tiny.yaml'), '--weights', own('tiny_state_dict.pt'), '--names', 'a,b', '--source', image])).toBe(2);
    expect(err()).toContain('--names gives 2 class names, the model has 3 classes');
    // the names convert records in the safetensors metadata are used by default
    const st = join(dir, 'tiny_detect.safetensors');
    const yaml = join(dir, 'tiny_detect.yaml');
    expect(await main(['convert', core('tiny_detect_model.pt'), '-o', st, '--yaml', yaml])).toBe(0);
    const o = join(dir, 'pred-names-converted');
    expect(await main(['predict', yaml, '--weights', st, '--source', image, '--out', o, '--imgsz', '64', '--no-save', '--backend', 'cpu'])).toBe(0);
    expect(json(join(o, 'predictions.json')).names).toEqual(['cat', 'dog']);
  });

  it('--weights is refused with a checkpoint model, required with a YAML one', async () => {
    expect(await main(['predict', core('yolo26-t.pt'), '--weights', own('tiny_state_dict.pt'), '--source', image])).toBe(2);
    expect(err()).toContain('--weights is for a YAML config: ');
    expect(await main(['predict', own('tiny.yaml'), '--source', image])).toBe(2);
    expect(err()).toContain('--weights FILE is required with a YAML config');
  });
});

/** Runs the CLI and returns its exit code and stderr; no stack trace may appear. */
async function fails(args: string[]): Promise<string> {
  output.err.length = 0;
  expect(await main(args)).toBe(2);
  const text = err();
  expect(text).toMatch(/^plugconv: /);
  expect(text).not.toMatch(/\n\s+at /);
  return text;
}

describe('bad and hostile files: exit 2, a message that says what the file is and what to do', () => {
  it('pickles that call os.system, posix.system, builtins.eval, subprocess.Popen: refused, naming the global, nothing run', async () => {
    const canary = '/tmp/plugconv-pwned';
    rmSync(canary, { force: true });
    const cases: [string, string, string[]][] = [
      ['hostile_os_system_raw.pt', 'os.system', ['info']],
      ['hostile_posix_system.pt', 'posix.system', ['predict', '--source', image]],
      ['hostile_builtins_eval.pt', '__builtin__.eval', ['convert']],
      ['hostile_subprocess_raw.pt', 'subprocess.Popen', ['check', core('yolo26-t.safetensors'), '--weights']],
      ['hostile_inst.pt', 'os.system', ['info']],
    ];
    for (const [file, global, [cmd, ...rest]] of cases) {
      const args = cmd === 'check' ? [cmd, ...rest, core(file)] : [cmd!, core(file), ...rest];
      const text = await fails(args);
      expect(text).toContain(`refused global '${global}'`);
      expect(text).toContain('this file wants to run code. plugconv never runs code from a checkpoint');
    }
    expect(existsSync(canary)).toBe(false);
  });

  it('a truncated zip (a download cut short)', async () => {
    const bytes = readFileSync(core('yolo26-t.pt'));
    const cut = join(dir, 'cut.pt');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(await fails(['info', cut])).toMatch(/cut\.pt is a truncated zip \(\d+ bytes; .*\): the file was cut short, e\.g\. by an interrupted download or copy; copy it again/);
  });

  it('a data.pkl that is not a pickle', async () => {
    expect(await fails(['info', core('garbage_pickle.pt')])).toMatch(/garbage_pickle\.pt: archive\/data\.pkl is not a valid pickle \(.*\): the file is corrupt or not a torch\.save checkpoint/);
  });

  it('a storage shorter than its tensor, a storage entry cut short', async () => {
    expect(await fails(['predict', core('storage_short.pt'), '--source', image])).toMatch(
      /storage_short\.pt: tensor 'model\.0\.conv\.weight' \(F16 \[2, 4\], offset 0, stride \[4, 1\]\) needs 8 elements of storage data\/0, which holds 4: the file is corrupt or was edited/,
    );
    expect(await fails(['convert', core('storage_truncated.pt')])).toMatch(/storage_truncated\.pt: storage data\/0 \(HalfStorage, 8 elements = 16 bytes\) has only 6 bytes: the file is corrupt or was edited/);
  });

  it('a YAML naming an unregistered module: named, with the nearest tokens (a checkpoint, and a YAML file)', async () => {
    expect(await fails(['info', own('custom_module.pt')])).toMatch(
      /custom_module\.pt: its model YAML does not build: row 2 .*unknown module 'C3k2_MyConv' \(did you mean [^)]*C3k2[^)]*\?\); the model was trained with a module plugconv does not have \(`plugconv modules` lists the registered ones\)/,
    );
    const yaml = join(dir, 'custom.yaml');
    writeFileSync(yaml, readFileSync(own('tiny.yaml'), 'utf8').replace('C3k2,', 'C3k2_MyConv,'));
    expect(await fails(['check', own('tiny.safetensors'), '--cfg', yaml, '--weights', own('tiny_state_dict.pt')])).toMatch(/unknown module 'C3k2_MyConv' \(did you mean [^)]*C3k2[^)]*\?\)/);
  });

  it('an empty file', async () => {
    const empty = join(dir, 'empty.pt');
    writeFileSync(empty, '');
    expect(await fails(['info', empty])).toContain(`${empty} is empty (0 bytes): it was never written or the download failed; give the best.pt or last.pt that ultralytics training wrote`);
    expect(await fails(['check', core('yolo26-t.safetensors'), '--weights', empty])).toContain(`${empty} is empty (0 bytes)`);
  });

  it('a legacy (pre-1.6, non-zip) torch.save file', async () => {
    expect(await fails(['predict', core('legacy.pt'), '--source', image])).toMatch(/legacy\.pt is a torch\.save file in the legacy, pre-1\.6 format .*: re-save it with torch>=1\.6/);
  });

  it('a safetensors file where a .pt is expected, and a .pt where a safetensors file is expected', async () => {
    const st = core('yolov8-C2f-DSConv-t.safetensors');
    const asPt = /yolov8-C2f-DSConv-t\.safetensors is a safetensors file \(a bare state dict: no model class, config or names\), not a PyTorch checkpoint \(\.pt\): use it as weights together with its YAML config, or give the ultralytics best\.pt instead/;
    expect(await fails(['convert', st])).toMatch(asPt);
    expect(await fails(['predict', st, '--source', image])).toMatch(asPt);
    expect(await fails(['info', st])).toMatch(asPt);
    expect(await fails(['check', core('yolo26-t.pt'), '--weights', core('yolo26-t.pt')])).toMatch(
      /the reference .*yolo26-t\.pt is a PyTorch checkpoint \(a torch\.save zip archive\), not a safetensors file: check compares with a \.safetensors fixture holding input and output; give a checkpoint as --weights/,
    );
    expect(await fails(['check', core('yolo26-t.safetensors'), '--weights', st])).toMatch(/--weights .*\.safetensors is a safetensors state dict \(no config in it\): give the model's YAML with --cfg/);
  });

  it('classification and segmentation checkpoints: which task they are', async () => {
    expect(await fails(['predict', core('classify.pt'), '--source', image])).toMatch(
      /classify\.pt is a classification checkpoint \(ultralytics\.nn\.tasks\.ClassificationModel, head Classify\), not a detection one: plugconv builds detection models; give the best\.pt of a detect training run/,
    );
    expect(await fails(['info', core('segment.pt')])).toMatch(/segment\.pt is a segmentation checkpoint \(ultralytics\.nn\.tasks\.SegmentationModel, head Segment\), not a detection one/);
    expect(await fails(['check', core('yolo26-t.safetensors'), '--weights', core('segment.pt')])).toMatch(/segment\.pt is a segmentation checkpoint/);
  });

  it('a plain state dict without its YAML, a file with no model, a TorchScript archive, a missing file', async () => {
    expect(await fails(['info', own('tiny_state_dict.pt')])).toMatch(/tiny_state_dict\.pt is a torch\.save\(state_dict\) file \(\d+ tensors, no model object, config or class names\): give the YAML config it was trained from, with this file as its weights/);
    expect(await fails(['info', core('no_model.pt')])).toMatch(/no_model\.pt is a torch\.save file but holds no model/);
    expect(await fails(['predict', core('torchscript.pt'), '--source', image])).toMatch(/torchscript\.pt is a TorchScript archive/);
    expect(await fails(['convert', join(dir, 'nope.pt')])).toMatch(/nope\.pt: no such file/);
    expect(await fails(['check', core('yolo26-t.safetensors'), '--weights', join(dir, 'nope.pt')])).toMatch(/--weights .*nope\.pt: no such file/);
  });
});
