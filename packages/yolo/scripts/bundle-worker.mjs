// dist/predict-worker.bundle.js: predictMany's worker (dist/predict-worker.js) with everything it imports, tfjs
// included, in one ESM file. Run by `pnpm build` after tsc.
//
// Why: every worker thread is a fresh V8 isolate that loads its modules itself. Loaded file by file, a worker
// opens about 340 module files, and Node parses tfjs' CommonJS bundles (2.1 MB) three times: once to detect
// whether they are ESM (they have no "type" field), once to compile them, and once with its JavaScript lexer to
// find their named exports, which V8 then optimises on its helper threads. Measured in a fresh worker thread on
// the 2-core machine: 330 ms wall / 570 ms CPU (helper threads included) before the worker can start, against
// 125 ms / 210 ms for this bundle. With two workers on two cores, every CPU millisecond of start-up delays the
// first results.
//
// What is in it: tfjs-core, tfjs-backend-cpu and tfjs-backend-wasm (JavaScript only), the @plugconv packages
// the worker imports (core and every registered module package), yaml, pngjs, jpeg-js, fflate: the versions
// installed when @plugconv/yolo was built. The worker thread shares nothing with the main thread's modules,
// so its own copies are not a second tfjs instance in any isolate. tfjs-backend-wasm's emscripten glue locates
// its .wasm binaries next to its own file (`__dirname`): the banner points `__filename`/`__dirname` at the
// installed @tensorflow/tfjs-backend-wasm (a pinned dependency of this package), so no binary is copied.
// `ignoreAnnotations` keeps the backends' side-effect imports (tfjs' "sideEffects" lists name only their
// browser builds, and their kernel registration would be dropped). Whitespace and syntax are minified,
// identifiers kept (stack traces name the functions). node-fetch stays external: tfjs-core requires it only
// to fetch http URLs, which the worker never does. tfjs comes from its ES module builds ("module", not Node's
// "main"): bundled from the CommonJS builds, every module that imports tfjs-core (54 of them) copied its 470
// exports onto a namespace object of getters when the worker started (esbuild's __toESM), and every tf.* call
// went through a getter; V8 spent about 110 ms per worker optimising the copying alone. The bundle sits in
// dist/ like configs.js, whose `import.meta.url` locates the shipped configs (../configs): bundled, that URL is
// the bundle's, the same folder.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';

const OUT = 'dist/predict-worker.bundle.js';
const EXTERNAL = ['node-fetch'];

const banner = `import { createRequire as __plugconvCreateRequire } from 'node:module';
import { dirname as __plugconvDirname } from 'node:path';
const require = __plugconvCreateRequire(import.meta.url);
const __filename = require.resolve('@tensorflow/tfjs-backend-wasm');
const __dirname = __plugconvDirname(__filename);`;

function fail(message) {
  console.error(`bundle-worker: ${message}`);
  process.exit(1);
}

const result = await build({
  entryPoints: ['dist/predict-worker.js'],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  banner: { js: banner },
  ignoreAnnotations: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

const output = Object.values(result.metafile.outputs)[0];
const left = output.imports.filter((i) => i.external && !isBuiltin(i.path) && !EXTERNAL.includes(i.path));
if (left.length) fail(`the bundle still imports ${left.map((i) => i.path).join(', ')}; only Node's modules and ${EXTERNAL.join(', ')} may stay outside`);
const inputs = Object.keys(result.metafile.inputs);
for (const need of ['@tensorflow/tfjs-core/', '@tensorflow/tfjs-backend-wasm/', 'core/dist/nn/module.js']) {
  if (!inputs.some((p) => p.includes(need))) fail(`${need} is not in the bundle`);
}
console.log(`bundle-worker: ${OUT}, ${(statSync(OUT).size / 2 ** 20).toFixed(2)} MiB from ${inputs.length} modules`);
