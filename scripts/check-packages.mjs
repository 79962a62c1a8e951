#!/usr/bin/env node
// Package hygiene for every public workspace package (packages/*, not private): packs it as `pnpm publish`
// would (workspace:* rewritten, publishConfig applied) and checks the tarball with publint (warnings are errors)
// and are-the-types-wrong (profile esm-only: the packages are ESM only, so CommonJS and node10 resolution are
// not targets), plus our own rules: ESM, types, an `exports` map, `files`, `sideEffects`, tfjs as a peer
// dependency, and no "development" condition (the workspace's source condition for vitest) in the published
// manifest (publishConfig.exports must be exports without it).
//
//   node scripts/check-packages.mjs [--fix] [--keep DIR] [name...]
//     --fix        write publishConfig.exports (exports without "development") where it is missing or stale
//     --keep DIR   keep the tarballs in DIR (pnpm release packs with this)
//     name...      only these packages (`core`, `@plugconv/dsconv`); default every public package
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const fix = args.includes('--fix');
const keepAt = args.indexOf('--keep');
const keep = keepAt >= 0 ? resolve(args[keepAt + 1] ?? '') : null;
if (keepAt >= 0 && !args[keepAt + 1]) fail('--keep needs a directory');
const only = args.filter((a, i) => !a.startsWith('--') && (keepAt < 0 || i !== keepAt + 1));

function fail(msg) {
  console.error(`check-packages: ${msg}`);
  process.exit(2);
}

/** Public workspace packages under packages/, sorted by folder. */
export function publicPackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'packages', d.name, 'package.json')))
    .map((d) => ({ dir: join(root, 'packages', d.name), folder: d.name, pkg: JSON.parse(readFileSync(join(root, 'packages', d.name, 'package.json'), 'utf8')) }))
    .filter((p) => !p.pkg.private);
}

/** `exports` with every "development" condition removed (recursively). */
function withoutDevelopment(exp) {
  if (exp === null || typeof exp !== 'object') return exp;
  return Object.fromEntries(Object.entries(exp).filter(([k]) => k !== 'development').map(([k, v]) => [k, withoutDevelopment(v)]));
}

const hasDevelopment = (exp) => exp !== null && typeof exp === 'object' && Object.entries(exp).some(([k, v]) => k === 'development' || hasDevelopment(v));

/** Problems with the workspace manifest, by our rules. */
function manifestProblems(pkg) {
  const p = [];
  if (pkg.type !== 'module') p.push('"type" must be "module" (ESM only)');
  if (!pkg.exports || typeof pkg.exports !== 'object' || !pkg.exports['.']) p.push('needs an "exports" map with "."');
  if (!pkg.types) p.push('needs "types"');
  if (!Array.isArray(pkg.files) || !pkg.files.includes('dist')) p.push('"files" must list dist');
  if (!('sideEffects' in pkg)) p.push('needs "sideEffects" (false, or the files that have them)');
  if (!pkg.peerDependencies?.['@tensorflow/tfjs-core']) p.push('@tensorflow/tfjs-core must be a peer dependency');
  if (pkg.dependencies?.['@tensorflow/tfjs-core']) p.push('@tensorflow/tfjs-core must not be a dependency (two tfjs instances do not share backends)');
  if (pkg.publishConfig?.access !== 'public') p.push('publishConfig.access must be "public" (scoped package)');
  const want = withoutDevelopment(pkg.exports);
  if (JSON.stringify(pkg.publishConfig?.exports) !== JSON.stringify(want)) p.push('publishConfig.exports must be "exports" without the "development" condition (run node scripts/check-packages.mjs --fix)');
  return p;
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, ...opts });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/^npm warn Unknown user config.*\n/gm, '') };
}

/**
 * Sets a top-level property of a package.json text to `value` (JSON text), replacing it where it exists, else
 * inserting it after the property `after` (or at the end). Other lines are left as they are.
 */
function setTopLevelProperty(text, key, value, after) {
  const span = (k) => {
    const m = new RegExp(`^  "${k}": `, 'm').exec(text);
    if (!m) return null;
    let i = m.index + m[0].length;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      if (depth === 0 && !inString && (c === ',' || c === '\n')) break;
      if (depth < 0) break;
    }
    return { start: m.index, valueStart: m.index + m[0].length, end: i };
  };
  const own = span(key);
  if (own) return text.slice(0, own.valueStart) + value + text.slice(own.end);
  const prev = span(after);
  if (prev && text[prev.end] === ',') return `${text.slice(0, prev.end + 1)}\n  "${key}": ${value},${text.slice(prev.end + 1)}`;
  const close = text.lastIndexOf('}');
  return `${text.slice(0, close).replace(/\s*$/, '')},\n  "${key}": ${value}\n}\n`;
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
let packages = publicPackages();
if (only.length) {
  const want = new Set(only.map((n) => n.replace(/^@plugconv\//, '')));
  packages = packages.filter((p) => want.has(p.folder) || want.has(p.pkg.name.replace(/^@plugconv\//, '')));
  if (packages.length !== want.size) fail(`unknown package in ${only.join(' ')}`);
}

if (fix) {
  for (const p of packages) {
    const want = withoutDevelopment(p.pkg.exports);
    if (JSON.stringify(p.pkg.publishConfig?.exports) === JSON.stringify(want) && p.pkg.publishConfig?.access === 'public') continue;
    // a textual edit of the publishConfig property only, so the rest of the file keeps its formatting
    const file = join(p.dir, 'package.json');
    const text = readFileSync(file, 'utf8');
    const value = JSON.stringify({ ...(p.pkg.publishConfig ?? {}), access: 'public', exports: want }, null, 2).replace(/\n/g, '\n  ');
    const next = setTopLevelProperty(text, 'publishConfig', value, 'files');
    if (JSON.stringify(JSON.parse(next).publishConfig.exports) !== JSON.stringify(want)) fail(`could not edit ${file}`);
    writeFileSync(file, next);
    p.pkg = JSON.parse(next);
    console.log(`fixed publishConfig of ${p.pkg.name}`);
  }
}

const out = keep ?? mkdtempSync(join(tmpdir(), 'plugconv-pack-'));
mkdirSync(out, { recursive: true });
let failed = 0;
const t0 = Date.now();
try {
  for (const p of packages) {
    const problems = manifestProblems(p.pkg);
    if (!existsSync(join(p.dir, p.pkg.types ?? 'dist/index.d.ts'))) problems.push(`${p.pkg.types} missing: run pnpm build first`);
    const pack = run('pnpm', ['pack', '--pack-destination', out], { cwd: p.dir });
    const tgz = pack.out.split('\n').map((l) => l.trim()).find((l) => l.endsWith('.tgz'));
    if (pack.code !== 0 || !tgz) {
      problems.push(`pnpm pack failed:\n${pack.out}`);
    } else {
      const manifest = JSON.parse(run('tar', ['-xzOf', tgz, 'package/package.json']).out);
      if (hasDevelopment(manifest.exports)) problems.push('the packed package.json still has the "development" condition');
      const ws = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies }).filter(([, v]) => String(v).startsWith('workspace:'));
      if (ws.length) problems.push(`the packed package.json keeps workspace: ranges (${ws.map(([k]) => k).join(', ')})`);
      const lint = run(bin('publint'), ['run', tgz, '--strict', '--level', 'suggestion']);
      if (lint.code !== 0 || !/All good!/.test(lint.out)) problems.push(`publint:\n${lint.out.trim()}`);
      const attw = run(bin('attw'), [tgz, '--profile', 'esm-only', '--format', 'table-flipped', '--no-emoji']);
      if (attw.code !== 0) problems.push(`attw (esm-only):\n${attw.out.trim()}`);
    }
    if (problems.length) {
      failed++;
      console.log(`FAIL ${p.pkg.name}@${p.pkg.version}\n${problems.map((x) => `  - ${x.replace(/\n/g, '\n    ')}`).join('\n')}`);
    } else {
      console.log(`ok   ${p.pkg.name}@${p.pkg.version}  publint: all good, attw (esm-only): no problems  ${tgz.replace(`${out}/`, '')}`);
    }
  }
} finally {
  if (!keep) rmSync(out, { recursive: true, force: true });
}
console.log(`\ncheck:packages ${packages.length - failed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)${keep ? `; tarballs in ${keep}` : ''}`);
process.exit(failed ? 1 : 0);
