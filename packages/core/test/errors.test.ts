import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Conv, decodeSafetensors, encodeSafetensors, StateDictError } from '../src/index.js';
import { readSafetensors, readSafetensorsFileMetadata, writeSafetensors } from '../src/node.js';
import { fixturePath, fromYaml } from './helpers.js';

const HEAD = `nc: 80
backbone:
  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
`;

describe('state dicts name the bad keys', () => {
  const sd = () => new Conv(4, 8, 3).stateDict();
  it('missing key', () => {
    const s = sd();
    s.delete('bn.running_var');
    expect(() => new Conv(4, 8, 3).loadStateDict(s)).toThrow(/missing keys: bn\.running_var/);
    try {
      new Conv(4, 8, 3).loadStateDict(s);
    } catch (e) {
      expect(e).toBeInstanceOf(StateDictError);
      expect((e as StateDictError).missing).toEqual(['bn.running_var']);
    }
  });
  it('a whole wrong model lists the first keys and counts the rest', () => {
    const s = new Map([...Array(30).keys()].map((i) => [`x.${i}`, tf.zeros([1])]));
    expect(() => new Conv(4, 8, 3).loadStateDict(s)).toThrow(/unexpected keys: x\.0, .*x\.19 \(\+10 more\)/);
  });
  it('unexpected key', () => {
    const s = sd();
    s.set('bn.extra', tf.zeros([8]));
    expect(() => new Conv(4, 8, 3).loadStateDict(s)).toThrow(/unexpected keys: bn\.extra/);
  });
  it('mis-shaped key', () => {
    const s = sd();
    s.set('conv.weight', tf.zeros([8, 4, 1, 1]));
    expect(() => new Conv(4, 8, 3).loadStateDict(s)).toThrow(/conv\.weight: expected \[8,4,3,3\], got \[8,4,1,1\]/);
  });
  it('nothing is assigned when one key is wrong', () => {
    const target = new Conv(4, 8, 3);
    const before = target.stateDict().get('conv.weight')!.arraySync();
    const s = sd();
    s.set('bn.weight', tf.zeros([3]));
    expect(() => target.loadStateDict(s)).toThrow(/bn\.weight/);
    expect(target.stateDict().get('conv.weight')!.arraySync()).toEqual(before);
  });
  it('PyTorch num_batches_tracked is accepted and ignored', () => {
    const s = sd();
    s.set('bn.num_batches_tracked', tf.scalar(3, 'int32'));
    expect(() => new Conv(4, 8, 3).loadStateDict(s)).not.toThrow();
  });
});

describe('safetensors files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugconv-st-'));
  const good = readFileSync(fixturePath('Conv_16_32_k3_s2.safetensors'));
  const write = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  it('round trip keeps names, shapes and values', () => {
    const t = new Map([['a', tf.tensor([[1.5, -2], [3, 4]])], ['b', tf.tensor([7, 8, 9], [3], 'int32')]]);
    const back = decodeSafetensors(encodeSafetensors(t));
    expect(back.get('a')!.arraySync()).toEqual([[1.5, -2], [3, 4]]);
    expect(back.get('b')!.dtype).toBe('int32');
    expect(back.get('b')!.arraySync()).toEqual([7, 8, 9]);
  });
  it('reads F16 and BF16 as float32', () => {
    // 1.0, -2.0, 0.5 in half and bfloat16
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800]);
    const bf16 = new Uint16Array([0x3f80, 0xc000, 0x3f00]);
    const make = (dtype: string, data: Uint16Array) => {
      const header = JSON.stringify({ x: { dtype, shape: [3], data_offsets: [0, 6] } });
      const h = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + h.length + 6);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      out.set(new Uint8Array(data.buffer), 8 + h.length);
      return out;
    };
    expect(decodeSafetensors(make('F16', f16)).get('x')!.arraySync()).toEqual([1, -2, 0.5]);
    expect(decodeSafetensors(make('BF16', bf16)).get('x')!.arraySync()).toEqual([1, -2, 0.5]);
  });
  it('truncated file names the file and the offsets', () => {
    const p = write('truncated.safetensors', good.subarray(0, good.length - 100));
    expect(() => readSafetensors(p)).toThrow(/truncated\.safetensors: tensor '.*' has offsets .* past the end/);
  });
  it('huge header length is refused before allocating', () => {
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(BigInt(2) ** BigInt(60), 0);
    const p = write('huge.safetensors', bad);
    expect(() => readSafetensors(p)).toThrow(/huge\.safetensors: bad header length/);
  });
  it('corrupt JSON header', () => {
    const bad = Buffer.from(good);
    bad[8] = 0x7b + 1;
    expect(() => readSafetensors(write('json.safetensors', bad))).toThrow(/header is not valid JSON/);
  });
  it('missing file', () => {
    expect(() => readSafetensors(join(dir, 'nope.safetensors'))).toThrow(/nope\.safetensors: no such file/);
  });
  it('writes atomically: no temporary file is left behind, the target is complete', () => {
    const p = join(dir, 'out.safetensors');
    writeSafetensors(p, new Map([['w', tf.ones([4, 4])]]));
    expect(readSafetensors(p).get('w')!.shape).toEqual([4, 4]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
  it('metadata is read from the header alone: a file whose tensor data is cut off still gives it', () => {
    const p = join(dir, 'meta.safetensors');
    writeSafetensors(p, new Map([['w', tf.ones([64, 64])]]), { names: '["a","b"]', stride: '32' });
    const full = readFileSync(p);
    const headerEnd = 8 + Number(full.readBigUInt64LE(0));
    const cut = write('meta-cut.safetensors', full.subarray(0, headerEnd));
    expect(readSafetensorsFileMetadata(cut)).toEqual({ names: '["a","b"]', stride: '32' });
    expect(() => readSafetensors(cut)).toThrow(/meta-cut\.safetensors: tensor 'w' has offsets .* past the end/);
    expect(readSafetensorsFileMetadata(write('no-meta.safetensors', good))).toEqual({});
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(BigInt(2) ** BigInt(60), 0);
    expect(() => readSafetensorsFileMetadata(write('huge-meta.safetensors', bad))).toThrow(/huge-meta\.safetensors: bad header length/);
    expect(() => readSafetensorsFileMetadata(join(dir, 'nope.safetensors'))).toThrow(/nope\.safetensors: no such file/);
  });
});

describe('YAML errors name the row', () => {
  it('unknown module suggests near names', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [-1, 1, C2F, [32]]\n`)).toThrow(/row 2 .*unknown module 'C2F' \(did you mean C2f, C2, A2C2f/);
  });
  it('bad from index', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [[-1, 7], 1, Concat, [1]]\n`)).toThrow(/row 2 .*bad 'from' index 7/);
  });
  it('argument of the wrong type', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [-1, 1, Conv, [32, "three"]]\n`)).toThrow(/row 2 .*Conv argument 'k' must be int, got "three"/);
  });
  it('too many arguments', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [-1, 1, SPPF, [32, 5, 3, False, True, 9]]\n`)).toThrow(/row 2 .*SPPF takes at most 6 arguments/);
  });
  it('a multi-input row for a single-input module', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [[-1, 0], 1, Conv, [32]]\n`)).toThrow(/row 2 .*Conv takes one input/);
  });
  it('spatial mismatch at run time names the row and the shapes', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [[-1, 0], 1, Concat, [1]]\n  - [[2], 1, Detect, [nc]]\n`)).toThrow(/row 2 \(Concat, from \[-1,0\], input \[1,32,32,32\], \[1,64,64,16\]\): concatChannels: shapes \[1,32,32,32\], \[1,64,64,16\] do not match outside the channel axis/);
  });
  it('unknown scale lists the scales', () => {
    expect(() => fromYaml(`scales:\n  n: [0.33, 0.25, 1024]\n${HEAD}head: []\n`, 'q')).toThrow(/scale 'q' is not one of n/);
  });
  it('not a row', () => {
    expect(() => fromYaml(`${HEAD}head:\n  - [-1, Conv, [32]]\n`)).toThrow(/head row 0: expected \[from, repeats, module, args\]/);
  });
});
