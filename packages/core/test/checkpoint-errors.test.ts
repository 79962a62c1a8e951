import { describe, expect, it } from 'vitest';
import { decodeSafetensors, readCheckpoint, requireTask, SafetensorsError, sniffWeightsFile } from '../src/index.js';
import { readCheckpointFile } from '../src/node.js';
import { caught, checkpointBytes as bytesOf, checkpointPath as path } from './checkpoint-helpers.js';

describe('hostile pickles are refused, naming the global, and nothing runs', () => {
  it.each([
    // torch.save of a value whose __reduce__ calls it (protocol 2 writes Python 2 module names)
    ['hostile_posix_system.pt', 'posix.system', 'named by GLOBAL'],
    ['hostile_builtins_eval.pt', '__builtin__.eval', 'named by GLOBAL'],
    ['hostile_subprocess_popen.pt', 'commands.Popen', 'named by GLOBAL'],
    // hand-written data.pkl
    ['hostile_os_system_raw.pt', 'os.system', 'named by GLOBAL at byte 2 of archive/data.pkl'],
    ['hostile_subprocess_raw.pt', 'subprocess.Popen', 'named by GLOBAL at byte 2 of archive/data.pkl'],
    ['hostile_inst.pt', 'os.system', 'named by INST'],
    ['hostile_getattr_call.pt', "getattr(torch.nn.modules.conv.Conv2d, '__init__')", 'called by REDUCE at byte 69'],
  ])('%s: refused global %s', (file, global, how) => {
    const e = caught(() => readCheckpointFile(path(file)));
    expect(e.code).toBe('refused-global');
    expect(e.source).toBe(path(file));
    expect(e.message).toContain(`${path(file)}: refused global '${global}' (${how}`);
    expect(e.message).toContain('this file wants to run code');
    expect(e.message).toContain('do not open this file with torch.load');
  });

  it('a call of a global outside the allow-list is refused even when its module is harmless', () => {
    // PROTO 2, GLOBAL 'numpy random_thing', EMPTY_TUPLE, REDUCE, STOP, in a torch-like zip made from the raw hostile one
    const raw = bytesOf('hostile_os_system_raw.pt');
    const pkl = latin1('\x80\x02cnumpy\nrandom_thing\n)R.');
    const e = caught(() => readCheckpoint(withPickle(raw, pkl), { source: 'x.pt' }));
    expect(e.code).toBe('refused-global');
    expect(e.message).toContain("x.pt: refused global 'numpy.random_thing' (called by REDUCE at byte 23 of archive/data.pkl)");
  });
});

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The raw hostile archive (stored entries) with its 32-byte data.pkl replaced by `pkl`, padded with STOPs. */
function withPickle(archive: Uint8Array, pkl: Uint8Array): Uint8Array {
  const original = latin1('\x80\x02cos\nsystem\n');
  const at = archive.findIndex((_, i) => original.every((b, j) => archive[i + j] === b));
  const out = archive.slice();
  const body = new Uint8Array(32).fill(0x2e);
  body.set(pkl);
  out.set(body, at);
  // the zip's CRC is not checked by the reader; the entry keeps its length
  return out;
}

describe('broken and wrong files say what they are and what to do', () => {
  it('an empty file', () => {
    const e = caught(() => readCheckpoint(new Uint8Array(0), { source: 'best.pt' }));
    expect([e.code, e.message]).toEqual(['empty', 'best.pt is empty (0 bytes): it was never written or the download failed; give the best.pt or last.pt that ultralytics training wrote (runs/detect/train*/weights/)']);
  });

  it('random bytes', () => {
    const e = caught(() => readCheckpoint(new TextEncoder().encode('hello, this is text'), { source: 'best.pt' }));
    expect(e.code).toBe('not-a-checkpoint');
    expect(e.message).toContain('best.pt is not a PyTorch checkpoint: torch.save writes a zip archive and this file starts with 68 65 6c 6c 6f 2c 20 74');
  });

  it('a legacy (pre-1.6, non-zip) torch.save file', () => {
    const e = caught(() => readCheckpointFile(path('legacy.pt')));
    expect(e.code).toBe('legacy-format');
    expect(e.message).toContain('legacy.pt is a torch.save file in the legacy, pre-1.6 format (magic number 0x1950a86a20f9469cfc6c)');
    expect(e.message).toContain('re-save it with torch>=1.6');
    expect(e.message).toContain('_use_new_zipfile_serialization=True');
  });

  it('a safetensors file where a .pt is expected, and a .pt where safetensors is expected', () => {
    const st = bytesOf('yolov8-C2f-DSConv-t.safetensors');
    expect(sniffWeightsFile(st)).toBe('safetensors');
    const e = caught(() => readCheckpoint(st, { source: 'w.safetensors' }));
    expect(e.code).toBe('safetensors');
    expect(e.message).toContain('w.safetensors is a safetensors file (a bare state dict: no model class, config or names), not a PyTorch checkpoint (.pt)');
    expect(() => decodeSafetensors(bytesOf('yolo26-t.pt'), 'yolo26-t.pt')).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytesOf('yolo26-t.pt'), 'yolo26-t.pt')).toThrow(
      'yolo26-t.pt is a PyTorch checkpoint (a torch.save zip), not a safetensors file: read it with readCheckpoint',
    );
  });

  it('a truncated zip (an interrupted download)', () => {
    const full = bytesOf('yolo26-t.pt');
    const e = caught(() => readCheckpoint(full.subarray(0, 1_000_000), { source: 'yolo26-t.pt' }));
    expect(e.code).toBe('truncated');
    expect(e.message).toBe('yolo26-t.pt is a truncated zip (1000000 bytes; the end-of-archive record is missing): the file was cut short, e.g. by an interrupted download or copy; copy it again');
  });

  it('a zip whose records point past its end', () => {
    const full = bytesOf('state_dict_dtypes.pt');
    // drop 200 bytes from the middle: the central directory survives, the entries after the cut do not line up
    const cut = new Uint8Array(full.length - 200);
    cut.set(full.subarray(0, 1500));
    cut.set(full.subarray(1700), 1500);
    const e = caught(() => readCheckpoint(cut, { source: 'cut.pt' }));
    expect([e.code, e.message]).toEqual(['bad-zip', 'cut.pt: the zip archive is damaged (its central directory is not where its end record says): bytes were lost or changed; copy the file again']);
  });

  it.each([
    ['a torch zip whose data.pkl is not a pickle', 'garbage_pickle.pt', 'bad-pickle', 'garbage_pickle.pt: archive/data.pkl is not a valid pickle (no MARK to pop at byte 0): the file is corrupt or not a torch.save checkpoint'],
    ['a storage shorter than its tensor names the tensor', 'storage_short.pt', 'bad-tensor', "storage_short.pt: tensor 'model.0.conv.weight' (F16 [2, 4], offset 0, stride [4, 1]) needs 8 elements of storage data/0, which holds 4"],
    ['a storage entry shorter than its pickle declares', 'storage_truncated.pt', 'bad-tensor', 'storage_truncated.pt: storage data/0 (HalfStorage, 8 elements = 16 bytes) has only 6 bytes'],
    ['a dict with neither model nor ema', 'no_model.pt', 'no-model', "no_model.pt is a torch.save file but holds no model: its dict has keys [date, version, epoch, model, ema, optimizer] and neither 'model' nor 'ema' is set"],
    ['a TorchScript archive', 'torchscript.pt', 'torchscript', 'torchscript.pt is a TorchScript archive (torch.jit.save'],
  ])('%s', (_, file, code, message) => {
    const e = caught(() => readCheckpointFile(path(file)));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it.each([
    ['classify.pt', 'classification', 'ultralytics.nn.tasks.ClassificationModel, head Classify'],
    ['segment.pt', 'segmentation', 'ultralytics.nn.tasks.SegmentationModel, head Segment'],
  ])('%s where a detection model is needed says which task it is', (file, word, what) => {
    const e = caught(() => readCheckpointFile(path(file), { task: 'detect' }));
    expect(e.code).toBe('wrong-task');
    expect(e.message).toBe(`${path(file)} is a ${word} checkpoint (${what}), not a detection one: plugconv builds detection models; give the best.pt of a detect training run`);
    expect(() => requireTask(readCheckpointFile(path('yolo26-t.pt')), 'detect')).not.toThrow();
  });
});

describe('sizes are bounded before allocating', () => {
  const bytes = bytesOf('yolo11-C3k2-DSConv-t.pt');
  it('the extracted total', () => {
    const e = caught(() => readCheckpoint(bytes, { source: 'a.pt', limits: { maxTotalBytes: 1_000_000 } }));
    expect([e.code, e.message]).toEqual(['too-large', 'a.pt: its entries take 1780242 bytes once extracted, over the limit of 1000000']);
  });
  it('the pickle memo', () => {
    const e = caught(() => readCheckpoint(bytes, { source: 'a.pt', limits: { maxMemo: 1000 } }));
    expect([e.code, e.message]).toEqual(['too-large', 'a.pt: yolo11-C3k2-DSConv-t/data.pkl stores over 1000 memo entries, over the limit']);
  });
  it('the zip entry count', () => {
    const e = caught(() => readCheckpoint(bytes, { source: 'a.pt', limits: { maxEntries: 100 } }));
    expect([e.code, e.message]).toEqual(['too-large', 'a.pt: the zip has 505 entries, over the limit of 100']);
  });
  it('the state dict: a one-element storage viewed as 2^31 elements is refused before the copy', () => {
    const e = caught(() => readCheckpointFile(path('broadcast_huge.pt')));
    expect(e.code).toBe('too-large');
    expect(e.message).toContain("broadcast_huge.pt: tensor 'w' (F32 [2147483648]) takes 8589934592 bytes, over the 1073741824 bytes left of the size limit");
  });
  it('the state dict: many views of one storage, together', () => {
    const bytes = bytesOf('shared_views.pt');
    expect(readCheckpoint(bytes).stateDict.size).toBe(100);
    const e = caught(() => readCheckpoint(bytes, { source: 'a.pt', limits: { maxTotalBytes: 100_000 } }));
    expect([e.code, e.message]).toEqual(['too-large', "a.pt: tensor 'w25' (F32 [1000]) takes 4000 bytes, over the 0 bytes left of the size limit"]);
  });
  it('the module nesting', () => {
    const e = caught(() => readCheckpoint(bytes, { source: 'a.pt', limits: { maxDepth: 3 } }));
    expect(e.code).toBe('too-large');
  });
});
