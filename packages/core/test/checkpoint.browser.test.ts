import { at } from '@plugconv/test-harness/browser';
import { describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpoint, tensorToFloat32 } from '../src/index.js';

const bytes = async (name: string) => new Uint8Array(await (await fetch(at(`../fixtures/checkpoints/${name}`, import.meta.url))).arrayBuffer());

describe('the checkpoint reader in a browser (bytes in, no fs)', () => {
  it('reads yolo26-t.pt (last.pt: ema, getattr) as in Node', async () => {
    const ck = readCheckpoint(await bytes('yolo26-t.pt'), { source: 'yolo26-t.pt', task: 'detect' });
    expect(ck).toMatchObject({ entry: 'ema', version: '8.4.104', parameterCount: 774344, stride: [8, 16, 32] });
    expect(ck.stateDict.size).toBe(708);
    expect(ck.semantics?.version).toBe('8.4');
    expect(Array.from(tensorToFloat32(ck.stateDict.get('model.0.conv.weight')!).subarray(0, 2))).toEqual([0.006488800048828125, 0.0714111328125]);
  });

  it('refuses a hostile pickle, naming the global', async () => {
    const hostile = await bytes('hostile_os_system_raw.pt');
    expect(() => readCheckpoint(hostile, { source: 'h.pt' })).toThrow(CheckpointError);
    expect(() => readCheckpoint(hostile, { source: 'h.pt' })).toThrow("h.pt: refused global 'os.system' (named by GLOBAL at byte 2 of archive/data.pkl)");
  });
});
