#!/usr/bin/env node
// pnpm release: build, check and pack every public package, then print the publish command.
//   1. build         turbo run build (every package's dist)
//   2. check         pnpm gen registry --check (the shipped registry lists every module package), then
//                    scripts/check-packages.mjs: publint and are-the-types-wrong on each packed tarball
//   3. pack          the checked tarballs (pnpm pack: workspace:* rewritten, publishConfig applied) in dist/release/
// Publishing needs an npm token, which this machine does not have: `pnpm release:publish` is the real command
// (`changeset publish`: publishes every package whose version is not on the registry yet, with git tags).
// Run `pnpm changeset version` first to turn pending changesets into versions and CHANGELOGs.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const dest = join(root, 'dist', 'release');
const t0 = Date.now();

function run(title, cmd, args) {
  console.log(`\n== ${title}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\nrelease: ${title} failed (exit ${r.status ?? r.signal}); nothing to publish`);
    process.exit(r.status || 1);
  }
}

const pending = readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
if (pending.length) {
  console.log(`release: ${pending.length} pending changeset(s) (${pending.join(', ')}): \`pnpm changeset version\` turns them into versions and CHANGELOGs; packing the current versions.`);
}

run('build', 'pnpm', ['run', 'build']);
run('check registry', 'pnpm', ['gen', 'registry', '--check']);
rmSync(dest, { recursive: true, force: true });
run('check and pack', 'node', ['scripts/check-packages.mjs', '--keep', dest]);

const tarballs = readdirSync(dest).filter((f) => f.endsWith('.tgz')).sort();
console.log(`\nrelease: ${tarballs.length} packages built, checked and packed in ${relative(root, dest)}/ (${((Date.now() - t0) / 1000).toFixed(0)} s):`);
for (const t of tarballs) console.log(`  ${t}`);
console.log(`
To publish (needs an npm token with publish rights on @plugconv: \`npm login\`, or NPM_TOKEN in ~/.npmrc):

  pnpm release:publish        # = changeset publish: every package whose version is not on npm yet, plus git tags
`);
