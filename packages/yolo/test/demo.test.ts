import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright';
import { createImage } from '../src/predict/image.js';
import { decodeImage, writeImage } from '../src/predict/image-io.js';

// The demo page (demo/), built with its vite config into a temporary folder, served over HTTP and driven in
// headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH): build a shipped config and check the summary,
// the layer table and the latency, then drop the yolov8-t fixture config, weights and an image, and screenshot;
// drop ultralytics checkpoints (a small one from core's fixtures, and the trained shapes model with a held-out
// image when the tree has them) and check the detections and their class names.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const demoDir = fileURLToPath(new URL('../demo/', import.meta.url));
const core = (name: string) => fileURLToPath(new URL(`../../core/fixtures/models/${name}`, import.meta.url));
const coreCheckpoint = (name: string) => fileURLToPath(new URL(`../../core/fixtures/checkpoints/${name}`, import.meta.url));
const trainedWeights = fileURLToPath(new URL('../weights/shapes-yolo11n-C3k2-DSConv.pt', import.meta.url));
const demoImage = (name: string) => fileURLToPath(new URL(`../fixtures/demo/${name}`, import.meta.url));
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
// as `pnpm demo` serves it (demo/vite.config.ts): cross-origin isolated, so tfjs-backend-wasm can use threads
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

let server: Server;
let browser: Browser;
let page: Page;
let url: string;
let work: string;
const requested: string[] = [];

/** Waits until the page is ready again (or failed), returning the status line. */
async function settled(): Promise<string> {
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 240_000 });
  return (await page.textContent('#status')) ?? '';
}

// CI installs Chromium (.ci/run); without it this suite is skipped, saying so
if (!existsSync(CHROMIUM)) console.warn(`demo.test.ts: ${CHROMIUM} not found, the demo page suite is skipped (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('demo page (headless Chromium)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'plugconv-demo-'));
    const out = join(work, 'site');
    await build({ configFile: join(demoDir, 'vite.config.ts'), build: { outDir: out, emptyOutDir: true }, logLevel: 'error' });
    server = createServer((req, res) => {
      const path = normalize(join(out, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      const file = path.endsWith('/') ? join(path, 'index.html') : path;
      if (!file.startsWith(out) || !existsSync(file)) {
        res.writeHead(404, ISOLATION).end();
        return;
      }
      res.writeHead(200, { ...ISOLATION, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    page.on('request', (r) => requested.push(new URL(r.url()).pathname.split('/').pop()!));
    await page.goto(url);
    await page.waitForSelector('body[data-state="ready"]');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(null)));
  });

  it('builds yolov8n on wasm: summary line, 23-row layer table, latency', async () => {
    await page.selectOption('#cfg', 'yolov8.yaml');
    await page.selectOption('#scale', 'n');
    await page.selectOption('#backend', 'wasm');
    await page.fill('#imgsz', '128');
    await page.click('#build');
    expect(await settled()).toBe('ready: YOLOv8n on wasm');
    expect(await page.textContent('#summary')).toBe('YOLOv8n summary: 130 layers, 3,157,200 parameters, 3,157,184 gradients, 8.9 GFLOPs');
    expect(await page.locator('#layers tr').count()).toBe(24);
    expect(await page.textContent('#layers tr:nth-child(24)')).toMatch(/^22\[15,18,21\]1897,664core\.Detect\[80,16,false,\[64,128,256\],true\]$/);
    expect(await page.textContent('#latency')).toMatch(/^latency [\d.]+ ms median of 3 at 128x128 on wasm \([\d.]+ GFLOP\/s, peak \d+ MiB\)$/);
    // cross-origin isolated, so tfjs-backend-wasm fetched its threaded SIMD build (vite names it with a hash)
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(requested.filter((f) => f.startsWith('tfjs-backend-wasm')).map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm'))).toEqual(['tfjs-backend-wasm-threaded-simd.wasm']);
  }, 300_000);

  it('takes a dropped config, weights and image and draws the detections; screenshot', async () => {
    const png = join(work, 'street.png');
    const img = createImage(160, 120);
    for (let y = 0; y < 120; y++) for (let x = 0; x < 160; x++) img.data.set([x + 60, y + 80, (x ^ y) & 0x40 ? 200 : 40], (y * 160 + x) * 3);
    writeImage(png, img);
    const yaml = join(work, 'yolov8t.yaml');
    writeFileSync(yaml, readFileSync(core('yolov8.yaml'), 'utf8'));
    await page.fill('#imgsz', '64');
    await page.setInputFiles('#files', [yaml, core('yolov8-t.safetensors'), png]);
    const status = await settled();
    expect(status).toMatch(/^street\.png: (\d+) detections in \d+ ms \(forward\) on wasm$/);
    const n = Number(/: (\d+) detections/.exec(status)![1]);
    expect(n).toBeGreaterThan(0);
    expect(await page.textContent('#loaded')).toBe('loaded: config yolov8t.yaml, weights yolov8-t.safetensors');
    expect(await page.locator('#detections tr').count()).toBe(n + 1);
    expect(await page.inputValue('#scale')).toBe('t');
    expect(await page.evaluate(() => [(document.getElementById('canvas') as HTMLCanvasElement).width, (document.getElementById('canvas') as HTMLCanvasElement).height])).toEqual([160, 120]);
    const shot = await page.screenshot({ fullPage: true });
    writeFileSync(join(work, 'demo.png'), shot);
    const decoded = decodeImage(new Uint8Array(shot));
    expect(decoded.width).toBe(1200);
    // not a blank page: many distinct colours (text, table, the annotated image)
    const colours = new Set<number>();
    for (let i = 0; i < decoded.data.length; i += 3 * 7) colours.add((decoded.data[i]! << 16) | (decoded.data[i + 1]! << 8) | decoded.data[i + 2]!);
    expect(colours.size).toBeGreaterThan(50);
  }, 300_000);

  it('shows a wrong weights file as an error naming it', async () => {
    await page.selectOption('#cfg', 'yolov8.yaml');
    await page.selectOption('#scale', 'n');
    await page.setInputFiles('#files', [core('yolov8-t.safetensors')]);
    expect(await settled()).toMatch(/^error: yolov8-t\.safetensors does not fit this model .*shapes differ: model\.0\.conv\.weight expects \[16,3,3,3\], file has \[8,3,3,3\]/);
  }, 300_000);

  it("takes a dropped best.pt: the model from its own YAML and weights, its class names and training size", async () => {
    await page.selectOption('#backend', 'wasm');
    await page.fill('#conf', '0'); // random weights: every score is small
    await page.setInputFiles('#files', [coreCheckpoint('tiny_detect_last.pt'), join(work, 'street.png')]);
    const status = await settled();
    expect(status).toMatch(/^street\.png: (\d+) detections in \d+ ms \(forward\) on wasm$/);
    expect(await page.textContent('#loaded')).toBe('loaded: checkpoint tiny_detect_last.pt (2 classes: cat, dog)');
    expect(await page.inputValue('#imgsz')).toBe('64');
    const classes = await page.locator('#detections tr td:nth-child(2)').allTextContents();
    expect(classes.length).toBeGreaterThan(0);
    expect(new Set(classes).size).toBeLessThanOrEqual(2);
    for (const c of classes) expect(['cat', 'dog']).toContain(c);
    await page.fill('#conf', '0.25');
  }, 300_000);

  it('a plain state-dict .pt with its YAML dropped beside it', async () => {
    const own = (name: string) => fileURLToPath(new URL(`../fixtures/checkpoints/${name}`, import.meta.url));
    await page.fill('#imgsz', '64');
    await page.setInputFiles('#files', [own('tiny_state_dict.pt'), own('tiny.yaml'), join(work, 'street.png')]);
    expect(await settled()).toMatch(/^street\.png: \d+ detections in \d+ ms \(forward\) on wasm$/);
    expect(await page.textContent('#loaded')).toBe('loaded: checkpoint tiny_state_dict.pt (3 classes: class0, class1, class2)');
    await page.setInputFiles('#files', [own('tiny_state_dict.pt')]);
    expect(await settled()).toMatch(/^error: tiny_state_dict\.pt is a torch\.save\(state_dict\) file .*: give the YAML config it was trained from/);
  }, 300_000);

  it('shows a hostile checkpoint as an error naming the refused global (nothing runs)', async () => {
    await page.setInputFiles('#files', [coreCheckpoint('hostile_os_system_raw.pt')]);
    expect(await settled()).toMatch(/^error: hostile_os_system_raw\.pt: refused global 'os\.system'/);
    await page.setInputFiles('#files', [coreCheckpoint('classify.pt')]);
    expect(await settled()).toMatch(/^error: classify\.pt is a classification checkpoint/);
  }, 300_000);

  it.skipIf(!existsSync(trainedWeights))("the trained shapes model on a held-out photograph: ultralytics' detections, real class names; screenshot", async () => {
    const ref = JSON.parse(readFileSync(demoImage('ultralytics-predict.json'), 'utf8')) as { images: { image: string; detections: { name: string; score: number }[] }[] };
    const expected = ref.images.find((i) => i.image === 'chelsea.png')!.detections;
    await page.selectOption('#backend', 'wasm');
    await page.setInputFiles('#files', [trainedWeights, demoImage('chelsea.png')]);
    expect(await settled()).toMatch(new RegExp(`^chelsea\\.png: ${expected.length} detections in \\d+ ms \\(forward\\) on wasm$`));
    expect(await page.textContent('#loaded')).toBe('loaded: checkpoint shapes-yolo11n-C3k2-DSConv.pt (4 classes: circle, square, triangle, star)');
    expect(await page.inputValue('#imgsz')).toBe('320');
    const rows = await page.locator('#detections tr').evaluateAll((trs) => trs.slice(1).map((tr) => [tr.children[1]!.textContent, tr.children[2]!.textContent]));
    expect(rows.map(([name]) => name)).toEqual(expected.map((d) => d.name));
    expect(rows.map(([, conf]) => Number(conf))).toEqual(expected.map((d) => Number(d.score.toFixed(3))));
    writeFileSync(join(work, 'demo-trained.png'), await page.screenshot({ fullPage: true }));
  }, 300_000);
});
