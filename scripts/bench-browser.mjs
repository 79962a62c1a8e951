#!/usr/bin/env node
// plugconv beside onnxruntime-web in headless Chromium, on a cross-origin isolated page (COOP + COEP), so both
// engines run their threaded SIMD wasm builds. Not part of CI; one command:
//
//   pnpm build && PLUGCONV_ULTRALYTICS=<folder holding ultralytics 8.4> node scripts/bench-browser.mjs
//   options: --models yolov8n,yolo11n,yolo26n  --threads 1,2  --runs 10  --warmup 2
//            --cold-models yolov8n,yolo26n  --cold-runs 5  --cold-threads 2  --weights pt|safetensors
//            --no-latency  --no-cold  --json FILE
//
// Latency: one page load per thread count (tfjs-wasm makes its thread pool once, when the backend starts, so
// setThreadsCount must come before it); on that page every network is built in plugconv (deployed) and loaded in
// onnxruntime-web (wasm, numThreads = the same count), then measured in rounds, each running every network once
// on each side, the sides' order alternating round by round. plugconv's time includes reading the output back.
// Cold start: a fresh browser context (no cache) and page per run; the clock starts at the `import()` of the
// page bundle (tfjs, its wasm backend, @plugconv/core, @plugconv/yolo/browser: bundled here with esbuild) and
// runs through backend init, weight load (a best.pt of random weights, made before the runs as bench-cold.mjs
// does, fetched from the server), build, deploy, first forward and postprocess; onnxruntime-web's page imports
// only its module (ort.wasm.min.mjs), then session create (fetching the .onnx) and first run.
// A free-core probe (1 then 2 Node workers running the same loop) before and after each latency page tells a
// thread speed-up from a machine busy with other jobs. The ONNX files come from reference/export_onnx.py
// (reference/.onnx). Chromium: /usr/bin/chromium or CHROMIUM_PATH; BENCH_BROWSER_DEBUG=1 logs the pages' requests
// and console.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configOf, freeCoreProbe, listArg, msCell, parseArgs, requireBuild, root, stats } from './bench/common.mjs';
import { writeRandomWeights } from './bench/random-weights.mjs';
import { startStaticServer } from './bench/static-server.mjs';

requireBuild('bench-browser');
const args = parseArgs(process.argv.slice(2), 'bench-browser');
const models = listArg(args.models, 'yolov8n,yolo11n,yolo26n');
const threadCounts = listArg(args.threads, '1,2').map(Number);
const runs = Number(args.runs ?? 10);
const warmup = Number(args.warmup ?? 2);
const coldModels = listArg(args['cold-models'], 'yolov8n,yolo26n');
const coldRuns = Number(args['cold-runs'] ?? 5);
const coldThreads = Number(args['cold-threads'] ?? 2);
for (const [name, v] of [['runs', runs], ['cold-runs', coldRuns], ['cold-threads', coldThreads]]) {
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`bench-browser: --${name} must be an integer >= 1, got ${v}${name === 'cold-runs' ? ' (--no-cold skips the cold starts)' : ''}`);
}
const weightsKind = String(args.weights ?? 'pt');
const onnxDir = resolve(args.onnx ?? join(root, 'reference', '.onnx'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const imgsz = 640;

// esbuild, playwright and the packages resolve from @plugconv/yolo's dependencies (its demo and tests use them)
const yoloRequire = createRequire(join(root, 'packages/yolo/package.json'));
const { build } = yoloRequire('esbuild');
const { chromium } = yoloRequire('playwright');
/** A root devDependency's folder (pnpm links it into node_modules). */
const dirOf = (pkg) => realpathSync(join(root, 'node_modules', pkg));

for (const name of new Set([...models, ...coldModels])) {
  if (!existsSync(join(onnxDir, `${name}.onnx`))) throw new Error(`bench-browser: ${join(onnxDir, `${name}.onnx`)} is missing; run /usr/bin/python3 reference/export_onnx.py --models ${name}`);
}
if (!existsSync(CHROMIUM)) throw new Error(`bench-browser: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

/** The page bundles (plugconv's page, onnxruntime-web's page) and a blank index.html, into `site`. */
async function bundlePages(site) {
  await build({
    entryPoints: { plugbench: join(root, 'scripts/bench/browser-page.js'), ortbench: join(root, 'scripts/bench/browser-ort-page.js') },
    outdir: site,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    nodePaths: [join(root, 'packages/yolo/node_modules')],
    alias: { '@plugconv/yolo/browser': join(root, 'packages/yolo/dist/browser.js') }, // the package itself, as built
    logLevel: 'warning',
  });
  writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>plugconv browser bench</title><p>plugconv browser bench</p>\n');
}

/**
 * tfjs-backend-wasm (4.22) caps its thread pool at navigator.hardwareConcurrency / 2 (it takes half the logical
 * cores as hyper-threads): on this 2-core machine it would never run 2 threads. For a page asking `threads`
 * threads where that cap is lower, the page's hardwareConcurrency is emulated as 2 x threads (Chromium's
 * Emulation.setHardwareConcurrencyOverride); the threads still run on the machine's real cores.
 */
const realCores = availableParallelism();
const emulatedCores = (threads) => (Math.floor(realCores / 2) < threads ? 2 * threads : null);

async function withPage(browser, threads, fn) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cores = emulatedCores(threads);
    if (cores) await (await context.newCDPSession(page)).send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: cores });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (process.env.BENCH_BROWSER_DEBUG) page.on('request', (r) => console.error(`request ${r.url()}`)).on('console', (m) => console.error(`console ${m.text()}`));
    await page.goto(server.url);
    try {
      return await fn(page);
    } catch (e) {
      throw new Error(`${e.message}${errors.length ? `\npage errors: ${errors.join('; ')}` : ''}`);
    }
  } finally {
    await context.close();
  }
}

async function measureLatency(browser) {
  const pageModels = models.map((name) => {
    const { path, scale, file } = configOf(name, 'bench-browser');
    return { name, configText: readText(path), configName: file, scale, onnxUrl: `/onnx/${name}.onnx` };
  });
  const out = { freeCores: {} };
  for (const threads of threadCounts) {
    out.freeCores[`before ${threads}t`] = await freeCoreProbe();
    out[threads] = await withPage(browser, threads, (page) => page.evaluate(async (a) => (await import('/plugbench.js')).latency(a), { threads, models: pageModels, runs, warmup, imgsz }));
    const env = out[threads].env;
    if (!env.crossOriginIsolated || env.tfjsWasmThreads !== threads || env.ortNumThreads !== threads) console.warn(`bench-browser: asked for ${threads} threads, the page has ${JSON.stringify(env)}`);
    out.freeCores[`after ${threads}t`] = await freeCoreProbe();
    process.stderr.write(`bench-browser: latency with ${threads} thread(s) done\n`);
  }
  return out;
}

async function measureCold(browser, weights) {
  const results = Object.fromEntries(coldModels.map((m) => [m, { plugconv: [], 'ort-web': [] }]));
  for (let run = 0; run < coldRuns; run++) {
    for (const name of coldModels) {
      const sides = ['plugconv', 'ort-web'];
      if (run % 2) sides.reverse();
      for (const side of sides) {
        const r =
          side === 'plugconv'
            ? await withPage(browser, coldThreads, (page) =>
                page.evaluate(
                  async (a) => {
                    const t0 = performance.now();
                    const m = await import('/plugbench.js');
                    const importMs = performance.now() - t0;
                    const r = await m.coldPlugconv(a);
                    return { ...r, times: { import: importMs, ...r.times } };
                  },
                  { threads: coldThreads, imgsz, weights: { kind: weightsKind, name: `${name}.${weightsKind}`, url: `/weights/${weights[name].split('/').pop()}` }, config: weightsKind === 'pt' ? undefined : configPayload(name) },
                ),
              )
            : await withPage(browser, coldThreads, (page) => page.evaluate(async (a) => (await import('/ortbench.js')).coldOrt(a), { threads: coldThreads, imgsz, onnxUrl: `/onnx/${name}.onnx` }));
        r.totalMs = Object.values(r.times).reduce((s, v) => s + v, 0);
        results[name][side].push(r);
      }
    }
    process.stderr.write(`bench-browser: cold run ${run + 1}/${coldRuns} done\n`);
  }
  return results;
}

function configPayload(name) {
  const { path, scale, file } = configOf(name, 'bench-browser');
  return { text: readText(path), name: file, scale };
}

function readText(path) {
  return readFileSync(path, 'utf8');
}

function reportLatency(lat) {
  const counts = Object.keys(lat).filter((k) => k !== 'freeCores').map(Number);
  const env = lat[counts[0]].env;
  console.log(`\nHeadless Chromium latency, 1x3x${imgsz}x${imgsz}, ${runs} rounds after ${warmup} warm-up rounds, ms as median / min`);
  console.log(`(${env.userAgent}; crossOriginIsolated ${env.crossOriginIsolated}; threads reported: ${counts.map((t) => `${t}t page: tfjs-wasm ${lat[t].env.tfjsWasmThreads}, ort-web ${lat[t].env.ortNumThreads}, hardwareConcurrency ${lat[t].env.hardwareConcurrency}${emulatedCores(t) ? ' (emulated)' : ''}`).join('; ')}; ${realCores} real cores)\n`);
  console.log(`free cores (2-worker throughput probe, 2.0 = two idle cores): ${Object.entries(lat.freeCores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}\n`);
  const cols = counts.flatMap((t) => [`plugconv ${t}t`, `ort-web ${t}t`]);
  const speedCols = counts.filter((t) => t !== 1 && counts.includes(1));
  console.log(`| model | ${cols.join(' | ')} |${speedCols.map((t) => ` plugconv ${t}t speed-up (median / min) | ort-web ${t}t speed-up (median / min) | ort-web / plugconv ${t}t (median / min) |`).join('')}`);
  console.log(`|---|${cols.map(() => '---:|').join('')}${speedCols.map(() => '---:|---:|---:|').join('')}`);
  for (const name of models) {
    const s = (t, side) => stats(lat[t].results.find((r) => r.name === name).times[side]);
    const cells = counts.flatMap((t) => [msCell(s(t, 'plugconv')), msCell(s(t, 'ort-web'))]);
    // speed-ups on medians, then on minima (the rounds that found the cores free)
    const ratio = (a, b) => `${(a.medianMs / b.medianMs).toFixed(2)}x / ${(a.minMs / b.minMs).toFixed(2)}x`;
    const speed = speedCols.map((t) => ` ${ratio(s(1, 'plugconv'), s(t, 'plugconv'))} | ${ratio(s(1, 'ort-web'), s(t, 'ort-web'))} | ${ratio(s(t, 'ort-web'), s(t, 'plugconv'))} |`);
    console.log(`| ${name} | ${cells.join(' | ')} |${speed.join('')}`);
  }
}

function reportCold(cold) {
  const med = (xs) => stats(xs).medianMs;
  console.log(`\nHeadless Chromium cold start, fresh context and page per run, ${coldRuns} runs each, ${coldThreads} thread(s), median ms per step (total from the import)\n`);
  const steps = ['import', 'backend init', 'weight load', 'build', 'deploy', 'first forward', 'postprocess', 'session create', 'first run'];
  console.log(`| network (weights) | side | ${steps.join(' | ')} | total median / min | output |`);
  console.log(`|---|---|${steps.map(() => '---:|').join('')}---:|---|`);
  for (const [name, sides] of Object.entries(cold)) {
    for (const [side, list] of Object.entries(sides)) {
      const cell = (k) => (list[0].times[k] === undefined ? '' : med(list.map((x) => x.times[k])).toFixed(0));
      const total = stats(list.map((x) => x.totalMs));
      const out = side === 'plugconv' ? `[${list[0].outputShape}], ${list[0].detections} dets, tfjs-wasm threads ${list[0].wasmThreads}` : `[${list[0].outputShape}], ort threads ${list[0].env.ortNumThreads}`;
      console.log(`| ${name} (random ${weightsKind === 'pt' ? 'best.pt' : '.safetensors'}) | ${side} ${coldThreads}t | ${steps.map(cell).join(' | ')} | ${total.medianMs.toFixed(0)} / ${total.minMs.toFixed(0)} | ${out} |`);
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'plugconv-bench-browser-'));
const site = join(work, 'site');
const weightsDir = join(work, 'weights');
let server;
let browser;
try {
  await bundlePages(site);
  const weights = args['no-cold'] ? {} : await writeRandomWeights(weightsKind, coldModels, weightsDir);
  server = await startStaticServer({
    '/': site,
    '/tfjs/': join(dirOf('@tensorflow/tfjs-backend-wasm'), 'dist'),
    '/ort/': join(dirOf('onnxruntime-web'), 'dist'),
    '/onnx/': onnxDir,
    ...(args['no-cold'] ? {} : { '/weights/': weightsDir }),
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const json = { imgsz, chromium: browser.version() };
  if (!args['no-latency']) reportLatency((json.latency = await measureLatency(browser)));
  if (!args['no-cold']) reportCold((json.cold = await measureCold(browser, weights)));
  if (args.json) writeFileSync(String(args.json), JSON.stringify(json, null, 2) + '\n');
} finally {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
}
