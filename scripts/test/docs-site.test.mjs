// The docs site renders: serves docs/ on 127.0.0.1 and opens the front page (docs/index.html, which forwards to
// the typedoc site), a guide, the YAML reference, a module card, the zoo page, the design page and an API page in
// headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH). Each page must load with no console error, no
// page error and no failed request, and show its expected text; a screenshot of each goes to a temporary folder.
// Needs `pnpm run docs` first. Run: pnpm docs:test (node --test).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright';

const docs = resolve(new URL('../../docs', import.meta.url).pathname);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = process.env.DOCS_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'plugconv-docs-shots-'));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon' };

let server;
let base;
let browser;
/** Paths the server answered 404 (the browser's console reports them without the URL). */
const notFound = [];

before(async () => {
  assert.ok(existsSync(join(docs, 'api', 'index.html')), 'docs/api/index.html is missing: run `pnpm run docs` first');
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(docs, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(docs) || !existsSync(file)) {
      notFound.push(path);
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
  console.log(`screenshots: ${shots}`);
});

/** Opens `path`, collects console errors, page errors and failed requests, returns the page's text. */
async function open(path, shot) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  notFound.length = 0;
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(`${base}/${path}`, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  // typedoc fills the navigation from a script; wait for it so the screenshot shows the whole page
  await page.waitForSelector('.site-menu nav a, .tsd-navigation a', { timeout: 10_000 });
  problems.push(...notFound.map((p) => `404 from the server: ${p}`));
  const text = await page.innerText('body');
  const url = page.url();
  await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
  await page.close();
  return { text, url, problems };
}

describe('the docs site in headless Chromium', { timeout: 120_000 }, () => {
  it('docs/index.html forwards to the front page, which renders the README and the site map', async () => {
    const r = await open('index.html', 'index');
    assert.deepEqual(r.problems, []);
    assert.match(r.url, /\/api\/index\.html$/);
    for (const s of ['plugconv', 'The two commands', 'On this site', 'Module cards', '@plugconv/dsconv', 'How FLOPs are counted']) assert.ok(r.text.includes(s), `front page lacks "${s}"`);
  });

  it('a module card shows the module, its paper, YAML usage and its figures table', async () => {
    const r = await open('api/documents/dsconv.html', 'card-dsconv');
    assert.deepEqual(r.problems, []);
    for (const s of ['@plugconv/dsconv', 'DSConv: Efficient Convolution Operator', 'C2f_DSConv', '[-1, 3, C2f_DSConv, [128, True]]', 'yolov8-C2f-DSConv', '3,157,200', '2,737,360']) {
      assert.ok(r.text.includes(s), `card lacks "${s}"`);
    }
  });

  it('the YAML reference lists every registered token with its rule', async () => {
    const r = await open('api/documents/YAML_reference.html', 'yaml-reference');
    assert.deepEqual(r.problems, []);
    for (const s of ['channel rule', 'Conv', 'C2f', 'Detect', 'nn.Upsample', 'DSConv2D', 'DWSConv', 'DynamicConv', 'SAConv2d', 'MobileNetV3Block', 'C2f_RepGhost', 'repeat', 'fixed']) {
      assert.ok(r.text.includes(s), `YAML reference lacks "${s}"`);
    }
  });

  it('the getting-started guide and the zoo page render', async () => {
    const zooReport = join(docs, '..', 'runs', 'zoo', 'zoo.svg');
    const g = await open('api/documents/Getting_started.html', 'getting-started');
    assert.deepEqual(g.problems, []);
    assert.ok(g.text.includes('npx plugconv info yolov8n.yaml'));
    const z = await open('api/documents/Model_zoo.html', 'zoo');
    assert.deepEqual(z.problems, []);
    assert.match(z.text, /Model zoo/);
    if (/has not been run/.test(z.text)) {
      // PLUGCONV_DOCS_ZOO=off on a checkout without runs/zoo/zoo.svg (`pnpm start`): the page must say so, not show a chart
      assert.ok(!existsSync(zooReport), 'runs/zoo/zoo.svg exists but the zoo page does not show it');
    } else {
      assert.match(z.text, existsSync(zooReport) ? /Written by `?pnpm start/ : /quick run/);
      const page = await browser.newPage();
      await page.goto(`${base}/api/documents/Model_zoo.html`);
      const img = page.locator('img[src$="zoo.svg"]');
      assert.equal(await img.count(), 1, 'the zoo page embeds the zoo chart (zoo.svg)');
      assert.ok((await img.evaluate((e) => e.complete && e.naturalWidth)) > 0, 'the zoo chart loads');
      await page.close();
    }
  });

  it('the design page renders, linked from the front page', async () => {
    const r = await open('api/documents/Design.html', 'design');
    assert.deepEqual(r.problems, []);
    for (const s of ['How plugconv is built', 'channel rule', 'Counting FLOPs: one rule for every op', '1e-4 + 1e-3', 'ultralytics semantics versions', 'The module contract']) {
      assert.ok(r.text.includes(s), `design page lacks "${s}"`);
    }
    const front = readFileSync(join(docs, 'api', 'index.html'), 'utf8');
    assert.match(front, /href="documents\/Design\.html"/, 'the front page links the design page');
  });

  it('an API page renders its class documentation', async () => {
    const r = await open('api/classes/_plugconv_dsconv.DSConv2D.html', 'api-dsconv2d');
    assert.deepEqual(r.problems, []);
    for (const s of ['DSConv2D', 'Constructors', 'forward']) assert.ok(r.text.includes(s), `API page lacks "${s}"`);
  });
});
