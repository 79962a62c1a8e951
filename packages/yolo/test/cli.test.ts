import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors } from '@plugconv/core';
import { readSafetensors } from '@plugconv/core/node';
import { main } from '../src/cli.js';
import { captureOutput } from './capture-output.js';

const coreFixture = (name: string) => fileURLToPath(new URL(`../../core/fixtures/${name}`, import.meta.url));
const output = captureOutput();


describe('plugconv info', () => {
  it('prints ultralytics summary line for yolov8n.yaml', async () => {
    expect(await main(['info', 'yolov8n.yaml', '--ultralytics', '8.2'])).toBe(0);
    expect(output.out.at(-1)).toBe('YOLOv8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs');
  });
  it("prints ultralytics 8.4's summary line by default (leaf layers, grouped digits)", async () => {
    expect(await main(['info', 'yolov8n.yaml'])).toBe(0);
    expect(output.out.at(-1)).toBe('YOLOv8n summary: 130 layers, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs');
    expect(await main(['info', 'yolov8n.yaml', '--json'])).toBe(0);
    expect(JSON.parse(output.out.at(-1)!)).toMatchObject({ ultralytics: '8.4', layers: 130, params: 3157200 });
  });
  it('--ultralytics names a bad version', async () => {
    expect(await main(['info', 'yolov8n.yaml', '--ultralytics', '7.0'])).toBe(2);
    expect(output.err.join('')).toMatch(/--ultralytics.*must be 8\.2 or 8\.4/);
  });
  it('--json --fuse gives the fused figures', async () => {
    expect(await main(['info', 'yolov8.yaml', '--scale', 'n', '--fuse', '--json', '--ultralytics', '8.2'])).toBe(0);
    const j = JSON.parse(output.out.at(-1)!);
    expect(j.params).toBe(3151904);
    expect(j.layers).toBe(168);
    expect(Math.abs(j.gflops - 8.746)).toBeLessThan(0.01);
    expect(j.rows).toHaveLength(23);
  });
  it('a missing config is exit 2 with the nearest shipped names', async () => {
    expect(await main(['info', 'nope.yaml'])).toBe(2);
    expect(output.err.join('')).toMatch(/config 'nope\.yaml' not found.*did you mean yolo11\.yaml, yolo12\.yaml, yolo26\.yaml\?/);
  });
});

describe('plugconv check', () => {
  it('passes the yolov8-t fixture on cpu', async () => {
    expect(await main(['check', coreFixture('models/yolov8-t.safetensors'), '--cfg', coreFixture('models/yolov8.yaml'), '--scale', 't', '--backend', 'cpu'])).toBe(0);
    expect(output.out.at(-1)).toMatch(/^max abs error \d\.\d+e-\d+ PASS$/);
  });
  it('passes a module fixture with its args from the json, deployed too', async () => {
    expect(await main(['check', coreFixture('C2f_32_32_n2_sc.safetensors'), '--module', 'C2f'])).toBe(0);
    expect(await main(['check', coreFixture('C2f_32_32_n2_sc.safetensors'), '--module', 'C2f', '--deploy'])).toBe(0);
    expect(output.out.at(-1)).toMatch(/PASS$/);
  });
  it("--reparameterize gives PyTorch's deployed form: the fixture's deploy_params, same outputs", async () => {
    const repghost = fileURLToPath(new URL('../../repghost/fixtures/modules/C2f_RepGhost_32_32_n1_sc.safetensors', import.meta.url));
    expect(await main(['check', repghost, '--module', 'C2f_RepGhost', '--reparameterize', '--backend', 'cpu'])).toBe(0);
    expect(output.out.join('\n')).toMatch(/\(re-parameterised\), 3584 parameters \(fixture: 3584\)/);
    expect(await main(['check', repghost, '--module', 'C2f_RepGhost', '--deploy', '--reparameterize'])).toBe(2);
  });

  it('a wrong output fails with exit 1', async () => {
    const t = readSafetensors(coreFixture('Conv_16_32_k3_s2.safetensors'));
    t.set('output', tf.add(t.get('output')!, 0.01));
    const p = join(mkdtempSync(join(tmpdir(), 'plugconv-cli-')), 'wrong.safetensors');
    writeFileSync(p, encodeSafetensors(t));
    expect(await main(['check', p, '--module', 'Conv', '--args', '[16, 32, 3, 2]'])).toBe(1);
    expect(output.out.at(-1)).toMatch(/FAIL$/);
  });
  it('a state that does not fit is exit 2 naming the keys', async () => {
    expect(await main(['check', coreFixture('Conv_16_32_k3_s2.safetensors'), '--module', 'Conv', '--args', '[16, 32, 1, 2]'])).toBe(2);
    expect(output.err.join('')).toMatch(/conv\.weight: expected \[32,16,1,1\], got \[32,16,3,3\]/);
  });
  it('bad usage is exit 2', async () => {
    expect(await main(['check', coreFixture('Conv_16_32_k3_s2.safetensors')])).toBe(2);
    expect(await main(['check', coreFixture('Conv_16_32_k3_s2.safetensors'), '--module', 'Cnov'])).toBe(2);
    expect(output.err.join('')).toMatch(/unknown module 'Cnov' \(did you mean Conv/);
    expect(await main(['check', 'missing.safetensors', '--module', 'Conv'])).toBe(2);
    expect(await main(['info', 'yolov8n.yaml', '--backend', 'tpu'])).toBe(2);
  });
});

describe('plugconv modules', () => {
  it('lists every registered module with rule and package', async () => {
    expect(await main(['modules', '--json'])).toBe(0);
    const list = JSON.parse(output.out.at(-1)!) as { name: string; rule: string; package: string }[];
    expect(list.find((m) => m.name === 'C2f')).toMatchObject({ rule: 'repeat', package: '@plugconv/core' });
    expect(list.find((m) => m.name === 'Detect')).toMatchObject({ rule: 'detect' });
    expect(new Set(list.map((m) => m.name)).size).toBe(list.length);
  });
});

