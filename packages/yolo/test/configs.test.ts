import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYoloConfig } from '@plugconv/core';
import { CONFIG_DIR, loadModel, resolveConfigPath, shippedConfigs } from '../src/configs.js';
import { main } from '../src/cli.js';
import { captureOutput } from './capture-output.js';

const output = captureOutput();
const ULTRALYTICS_SCALES = ['n', 's', 'm', 'l', 'x'];

describe('shipped configs', () => {
  // ultralytics' files list n, s, m, l, x; the tiny fixture scale t lives with the fixture YAMLs
  // (packages/*/fixtures/models, packages/core/fixtures), so `plugconv info yolov8.yaml` builds n, as ultralytics does
  it.each(shippedConfigs())('%s lists only ultralytics scales, n first', (cfg) => {
    const scales = Object.keys(parseYoloConfig(readFileSync(join(CONFIG_DIR, cfg), 'utf8'), cfg).scales ?? {});
    expect(scales.filter((s) => !ULTRALYTICS_SCALES.includes(s)), `${cfg} lists scales ultralytics does not ship`).toEqual([]);
    if (scales.length) expect(scales[0]).toBe('n');
  });
});

describe('scales as ultralytics picks them: --scale, then the file name, then the first listed', () => {
  it('a copy of yolov8.yaml saved as yolov8s.yaml, in any folder, builds s and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugconv-scale-'));
    const copy = join(dir, 'yolov8s.yaml');
    copyFileSync(join(CONFIG_DIR, 'yolov8.yaml'), copy);
    expect(await main(['info', copy, '--json'])).toBe(0);
    expect(JSON.parse(output.out.at(-1)!)).toMatchObject({ name: 'YOLOv8s', params: 11166560, gradients: 11166544 });
    expect(output.err.join('')).toBe('');
    expect(await main(['info', copy])).toBe(0);
    expect(output.out.at(-1)).toBe('YOLOv8s summary: 130 layers, 11,166,560 parameters, 11,166,544 gradients, 28.8 GFLOPs');
  });

  it('--scale wins over the file name, and the summary names the scale built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugconv-scale-'));
    copyFileSync(join(CONFIG_DIR, 'yolov8.yaml'), join(dir, 'yolov8s.yaml'));
    expect(await main(['info', join(dir, 'yolov8s.yaml'), '--scale', 'm', '--json'])).toBe(0);
    expect(JSON.parse(output.out.at(-1)!)).toMatchObject({ name: 'YOLOv8m', params: 25902640 });
    expect(await main(['info', 'yolov8n.yaml', '--scale', 's'])).toBe(0);
    expect(output.out.at(-1)).toMatch(/^YOLOv8s summary: 130 layers, 11,166,560 parameters/);
  });

  it("yolov8.yaml builds n, the first listed, with ultralytics' warning", async () => {
    expect(await main(['info', 'yolov8.yaml'])).toBe(0);
    expect(output.err.join('')).toBe("WARNING no model scale passed. Assuming scale='n'.\n");
    expect(output.out.at(-1)).toBe('YOLOv8n summary: 130 layers, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs');
  });

  it('a shipped variant by its scaled name', () => {
    const model = loadModel('yolov8s-C2f-DSConv.yaml', { warn: () => expect.unreachable('no warning: the name has the scale') });
    expect([model.name, model.numParams()]).toEqual(['YOLOv8s-C2f-DSConv', 9487200]);
    model.dispose();
  });

  it('a scale the config does not list names the file and its scales', async () => {
    expect(await main(['info', 'yolov8.yaml', '--scale', 't'])).toBe(2);
    expect(output.err.join('')).toMatch(/yolov8\.yaml: scale 't' is not one of n, s, m, l, x/);
  });
});

describe('config names', () => {
  it.each([
    ['yolov8n-c2f-dsconv.yaml', 'yolov8n-C2f-DSConv.yaml'],
    ['YOLOV8-GHOST.yaml', 'yolov8-ghost.yaml'],
    ['yolov8s-C2f-DSconv', 'yolov8s-C2f-DSConv.yaml'],
    ['yolov8-mobilenet.yaml', 'yolov8-mobilenetv3.yaml'],
  ])('%s: not found, did you mean %s (case-insensitive, the scale letter kept)', (name, first) => {
    expect(() => resolveConfigPath(name)).toThrow(new RegExp(`config '${name.replace(/\./g, '\\.')}' not found: .*\\(did you mean ${first.replace(/\./g, '\\.')}[,?]`));
  });

  it('exit 2 from the CLI with the suggestion', async () => {
    expect(await main(['info', 'yolov8-c2f-repghost.yaml'])).toBe(2);
    expect(output.err.join('')).toMatch(/did you mean yolov8-C2f-RepGhost\.yaml/);
  });

  it('with or without .yaml, scaled or not', () => {
    expect(resolveConfigPath('yolov8-p2')).toBe(join(CONFIG_DIR, 'yolov8-p2.yaml'));
    expect(resolveConfigPath('yolov8m-p2.yaml')).toBe(join(CONFIG_DIR, 'yolov8m-p2.yaml'));
  });
});
