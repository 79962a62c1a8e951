import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from '@plugconv/core';
import { main } from '../src/cli.js';
import { loadModel } from '../src/configs.js';
import { useNodeBackend } from '../src/node-backends.js';
import { captureOutput } from './capture-output.js';

const output = captureOutput();
const CONFIGS = ['yolov8.yaml', 'yolov8-DWSConv.yaml', 'yolo26.yaml'];

describe('plugconv zoo', () => {
  it('writes zoo.md, zoo.svg and zoo.json with the figures summarize gives, as built and deployed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'plugconv-zoo-'));
    expect(await main(['zoo', '--configs', CONFIGS.join(','), '--imgsz', '64', '--runs', '1', '--backend', 'cpu', '--out', out])).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'zoo.json'), 'utf8'));
    expect(json).toMatchObject({ scale: 'n', imgsz: 64, backend: 'cpu', runs: 1 });
    expect(json.rows.map((r: { config: string }) => r.config)).toEqual(CONFIGS);
    await useNodeBackend('cpu');
    for (const [i, cfg] of CONFIGS.entries()) {
      const model = loadModel(cfg, { scale: 'n', warn: () => {} });
      const s = summarize(model, 64);
      model.dispose();
      const row = json.rows[i];
      expect(row).toMatchObject({ config: cfg, name: s.name, ultralytics: '8.4', params: s.params, gradients: s.gradients });
      expect(row.gflops).toBeCloseTo(s.gflops, 10);
      expect(row.deployParams).toBeLessThan(row.params);
      expect(row.deployGflops).toBeLessThan(row.gflops);
      expect(row.latencyMs).toBeGreaterThan(0);
      expect(row.deployLatencyMs).toBeGreaterThan(0);
      // peak memory holds at least the weights (float32)
      expect(row.peakMiB).toBeGreaterThan((row.params * 4) / 2 ** 20);
      expect(row.deployPeakMiB).toBeGreaterThan((row.deployParams * 4) / 2 ** 20);
    }
    expect(json.rows[2]).toMatchObject({ name: 'YOLO26n', params: 2572280, deployParams: 2408932 });
    expect(json).not.toHaveProperty('ultralytics');
    expect(json.rows[0].params).toBe(3157200);
    const md = readFileSync(join(out, 'zoo.md'), 'utf8').split('\n');
    expect(md[0]).toBe('# Model zoo');
    expect(md).toContain('Every shipped config at scale n, 64x64, batch 1, backend cpu (Node, one thread),');
    expect(md).toContain("each config built with its own ultralytics semantics (a YAML's `ultralytics:` key, else 8.4; here 8.4).");
    expect(md.find((l) => l.startsWith('| yolov8.yaml |'))).toMatch(/^\| yolov8\.yaml \| 3,157,200 \| 3,157,184 \| [\d.]+ \| \d+ \| \d+ \| [\d,]+ \| [\d.]+ \| \d+ \| \d+ \|$/);
    const svg = readFileSync(join(out, 'zoo.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    for (const cfg of CONFIGS) expect(svg).toContain(`>${cfg}</text>`);
    expect(output.out.join('\n')).toMatch(/^config\s+params\s+GFLOPs\s+ms\s+peak MiB\s+deployed params\s+deployed ms\s+deployed MiB\n/);
  });

  it('--ultralytics 8.2 builds every config with 8.2 semantics and says so', async () => {
    const out = mkdtempSync(join(tmpdir(), 'plugconv-zoo-82-'));
    expect(await main(['zoo', '--configs', 'yolov8.yaml', '--imgsz', '32', '--runs', '1', '--backend', 'cpu', '--out', out, '--ultralytics', '8.2'])).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'zoo.json'), 'utf8'));
    expect(json).toMatchObject({ ultralytics: '8.2', rows: [{ config: 'yolov8.yaml', ultralytics: '8.2', params: 3157200 }] });
    expect(readFileSync(join(out, 'zoo.md'), 'utf8').replace(/\n/g, ' ')).toContain('every config built with ultralytics 8.2 semantics (`--ultralytics 8.2`)');
    expect(await main(['zoo', '--ultralytics', '9'])).toBe(2);
    expect(output.err.join('')).toMatch(/--ultralytics: .*must be 8\.2 or 8\.4/);
  });

  it('usage mistakes are exit 2 with the reason, from the options parser the other commands share', async () => {
    expect(await main(['zoo', '--imgsz', '100'])).toBe(2);
    expect(output.err.join('')).toMatch(/--imgsz must be a multiple of 32, got 100/);
    expect(await main(['zoo', '--imgsz', '16'])).toBe(2);
    expect(output.err.join('')).toMatch(/--imgsz must be an integer in \[32, 8192\], got '16'/);
    expect(await main(['zoo', '--runs', '0'])).toBe(2);
    expect(output.err.join('')).toMatch(/--runs must be an integer >= 1, got '0'/);
    expect(await main(['info', 'yolov8n.yaml', '--imgsz', 'big'])).toBe(2);
    expect(output.err.join('')).toMatch(/--imgsz must be an integer in \[32, 8192\], got 'big'/);
  });

  // `pnpm start` runs dist/zoo.js (needs `pnpm build`): plugconv zoo into the repository's runs/zoo unless --out says otherwise
  const entry = fileURLToPath(new URL('../dist/zoo.js', import.meta.url));
  it.skipIf(!existsSync(entry))('dist/zoo.js, the entry of pnpm start, is plugconv zoo; without a terminal, progress is one line per config', () => {
    const out = mkdtempSync(join(tmpdir(), 'plugconv-zoo-start-'));
    const configs = ['yolov8.yaml', 'yolov8-ghost.yaml'];
    const r = spawnSync(process.execPath, [entry, '--configs', configs.join(','), '--imgsz', '32', '--runs', '1', '--backend', 'cpu', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(out, 'zoo.md')}, zoo.svg, zoo.json`);
    expect(JSON.parse(readFileSync(join(out, 'zoo.json'), 'utf8')).rows[0].params).toBe(3157200);
    expect(r.stderr).toBe('zoo 1/2 yolov8.yaml\nzoo 2/2 yolov8-ghost.yaml\n');
  });

  it('writes runs/zoo under the working directory by default, as ultralytics writes runs/', async () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'plugconv-zoo-cwd-'));
    try {
      process.chdir(dir);
      expect(await main(['zoo', '--configs', 'yolov8.yaml', '--imgsz', '32', '--runs', '1', '--backend', 'cpu'])).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(JSON.parse(readFileSync(join(dir, 'runs', 'zoo', 'zoo.json'), 'utf8')).rows[0].params).toBe(3157200);
  });
});
