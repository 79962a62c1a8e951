#!/usr/bin/env node
// The code examples of the docs, checked as a user meets them: every ```ts / ```js block in README.md,
// packages/*/README.md and docs/guides/*.md is either
//   - runnable: a whole program, pasted as it is into a file of a fresh npm project that installed the packed
//     packages (scripts/install-test.sh makes that project), type-checked there by tsc (strict, NodeNext) and
//     run by Node; it imports its tfjs backend (`import '@tensorflow/tfjs-backend-wasm'` and `useBackend`) and
//     finds its configs (`loadModel` / `resolveConfigPath` from @plugconv/yolo) and any file it names
//     (files it wrote itself, or the assets the install test puts beside it: see ASSETS); or
//   - a fragment, marked with the info string ```ts fragment: an excerpt (a type, a test file's body, browser
//     code that needs a page), shown but not run.
// The snippets are extracted from the Markdown, not included from example files, so what a reader copies is
// exactly what runs: there is no second copy to drift.
//
//   node scripts/examples.mjs list               every block with its kind; fails on a runnable block without a backend
//   node scripts/examples.mjs run <project> [doc...]   writes the runnable blocks (of the docs whose path contains a
//                                                    `doc` argument, default all) into <project>/examples, tsc, node each
//
// Failures name the Markdown file and the block's line: `FAIL docs/guides/getting-started.md:48 (block 2)`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Files that runnable examples may name without making them: copied from the repository into the project. */
export const ASSETS = ['packages/dsconv/fixtures/modules/DSConv2D_16_32_k3_b8.safetensors', 'packages/dsconv/fixtures/modules/DSConv2D_16_32_k3_b8.json'];

const CODE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

/** The Markdown files whose examples are checked, relative to the repository root. */
export function docFiles() {
  const md = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).sort().map((f) => `${dir}/${f}`) : []);
  const packages = readdirSync(join(root, 'packages')).sort().map((p) => `packages/${p}/README.md`).filter((f) => existsSync(join(root, f)));
  return ['README.md', ...packages, ...md('docs/guides')];
}

/**
 * Every fenced code block of a Markdown text: its info string, first code line (1-based) and code. Fences are
 * ``` or ~~~ of three or more, closed by the same character, at least as long.
 */
export function fencedBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, fence, info] = open;
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) j++;
    blocks.push({ info: info.trim(), line: i + 2, code: lines.slice(i + 1, j).join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

/** The ts/js blocks of every doc file: `{ file, line, index, kind: 'runnable' | 'fragment', lang, code, name }`. */
export function collect() {
  const out = [];
  for (const file of docFiles()) {
    let index = 0;
    for (const b of fencedBlocks(readFileSync(join(root, file), 'utf8'))) {
      const [lang = '', ...flags] = b.info.split(/\s+/);
      if (!CODE.has(lang.toLowerCase())) continue;
      index++;
      const unknown = flags.filter((f) => f !== 'fragment');
      if (unknown.length) throw new Error(`${file}:${b.line - 1}: info string '${b.info}': the only flag is 'fragment'`);
      const kind = flags.includes('fragment') ? 'fragment' : 'runnable';
      const name = `${file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-L${b.line}`;
      out.push({ file, line: b.line, index, kind, lang: lang.toLowerCase(), code: b.code, name });
    }
  }
  return out;
}

/** Problems a runnable block has before it runs (each names the block). */
function lint(block) {
  const where = `${block.file}:${block.line} (block ${block.index})`;
  const problems = [];
  if (!/^import\s+['"]@tensorflow\/tfjs-backend-[a-z]+['"];?$/m.test(block.code)) {
    problems.push(`${where}: a runnable example imports its tfjs backend (import '@tensorflow/tfjs-backend-wasm'; await useBackend('wasm')), or is marked \`\`\`ts fragment`);
  }
  return problems;
}

function list() {
  const blocks = collect();
  const problems = blocks.filter((b) => b.kind === 'runnable').flatMap(lint);
  for (const b of blocks) console.log(`${b.kind.padEnd(8)} ${b.file}:${b.line} (block ${b.index}, ${b.lang})`);
  const runnable = blocks.filter((b) => b.kind === 'runnable').length;
  console.log(`\nexamples: ${blocks.length} ts/js blocks in ${docFiles().length} files: ${runnable} runnable, ${blocks.length - runnable} fragments`);
  if (problems.length) {
    console.error(`\n${problems.join('\n')}`);
    process.exit(1);
  }
  return blocks;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM'],
    strict: true,
    skipLibCheck: false,
    verbatimModuleSyntax: false,
    rootDir: 'examples',
    outDir: 'examples-build',
  },
  include: ['examples/*.ts'],
};

/** tsc's `examples/<name>.ts(l,c)` as the Markdown place: `README.md:93:5 (block 1)`. */
function docPlace(blocks, text) {
  return text.replace(/examples\/([A-Za-z0-9-]+-L\d+)\.ts\((\d+),(\d+)\)/g, (m, name, l, c) => {
    const b = blocks.find((x) => x.name === name);
    return b ? `${b.file}:${b.line + Number(l) - 1}:${c} (block ${b.index})` : m;
  });
}

function run(project, only) {
  const app = resolve(project);
  const blocks = list().filter((b) => b.kind === 'runnable' && (!only.length || only.some((o) => b.file.includes(o))));
  rmSync(join(app, 'examples'), { recursive: true, force: true });
  rmSync(join(app, 'examples-build'), { recursive: true, force: true });
  mkdirSync(join(app, 'examples'));
  for (const b of blocks) writeFileSync(join(app, 'examples', `${b.name}.${b.lang.startsWith('t') ? 'ts' : 'js'}`), b.code);
  for (const a of ASSETS) copyFileSync(join(root, a), join(app, basename(a)));
  writeFileSync(join(app, 'tsconfig.examples.json'), `${JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, allowJs: true } }, null, 2)}\n`);

  console.log(`\n== tsc: type-check and compile ${blocks.length} runnable examples (strict, NodeNext)`);
  const tsc = spawnSync(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.examples.json'], { cwd: app, encoding: 'utf8' });
  if (tsc.status !== 0) {
    console.error(docPlace(blocks, `${tsc.stdout}${tsc.stderr}`));
    console.error('examples: FAIL: the examples above do not type-check as pasted');
    process.exit(1);
  }
  let failed = 0;
  for (const b of blocks) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join('examples-build', `${b.name}.js`)], { cwd: app, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NODE_OPTIONS: '' } });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\n*=+\nHi, looks like you are running TensorFlow\.js in Node\.js[^=]*=+\n*/g, '\n').trim();
    if (r.status === 0) {
      console.log(`ok   ${b.file}:${b.line} (block ${b.index}, ${secs} s)${out ? `\n${out.replace(/^/gm, '     | ')}` : ''}`);
    } else {
      failed++;
      console.error(`FAIL ${b.file}:${b.line} (block ${b.index}, ${secs} s, ${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}):\n${docPlace(blocks, out).replace(/^/gm, '     | ')}`);
    }
  }
  console.log(`\nexamples: ${blocks.length - failed} passed, ${failed} failed (in ${relative(process.cwd(), app) || '.'})`);
  if (failed) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, arg, ...only] = process.argv.slice(2);
  if (cmd === 'list') list();
  else if (cmd === 'run' && arg) run(arg, only);
  else {
    console.error('usage: node scripts/examples.mjs list | run <project>');
    process.exit(2);
  }
}
