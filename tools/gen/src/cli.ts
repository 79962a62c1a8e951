#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GenError } from './errors.js';
import { RULES } from './names.js';
import { anatomyProblems, shippedConfigs, treeFromDisk } from './anatomy.js';
import { applyPlan, planModule } from './scaffold.js';
import { modulePackages, planRegistry } from './sync.js';
import { findRoot, PATHS } from './workspace.js';

const USAGE = `usage:
  pnpm gen module <name> [--rule ${RULES.join('|')}] [--token <YamlToken>] [--no-install] [--dry-run]
      scaffold packages/<name> (kebab-case) in the module-package anatomy: a working starter module, its spec,
      tests, PyTorch fixture, config, benchmark, README, changeset; register it in @plugconv/yolo (registry,
      dependency, tsconfig reference) and the API docs' entry points;
      then run 'pnpm install' to link it (skipped with --no-install). The YAML token and class name
      default to the PascalCase of the name (ghost-shuffle-conv -> GhostShuffleConv); --rule defaults to conv.
  pnpm gen registry [--check]
      rebuild ${PATHS.registry} (and packages/yolo's dependencies and tsconfig references) from the
      packages/* whose src/index.ts exports \`modules\`; with --check, change nothing and exit 1 when stale.
  pnpm gen anatomy [<name>...]
      check that every module package (or the ones named) has the files and shapes \`pnpm gen module\`
      writes: spec, sources, tests, fixtures, benchmarks, README sections; exit 1 listing what differs.`;

/** Where the CLI writes and how it installs (tests replace them). */
export interface CliIO {
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Runs `pnpm install` in the root; returns whether it succeeded. */
  install: (root: string) => boolean;
}

/** Parsed options (every option is a single string or a flag). */
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const defaultIO: CliIO = {
  cwd: process.cwd(),
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  install: (root) => {
    // a new workspace package changes the lockfile: never frozen here (CI's default would refuse)
    const r = spawnSync('pnpm', ['install', '--no-frozen-lockfile', '--prefer-offline'], { cwd: root, stdio: 'inherit' });
    return r.status === 0;
  },
};

function moduleCommand(positionals: string[], values: Values, io: CliIO): number {
  if (positionals.length !== 1) throw new GenError(`pnpm gen module takes one name, got ${positionals.length ? positionals.join(' ') : 'none'}\n${USAGE}`);
  const root = findRoot(io.cwd);
  const { ctx, plan } = planModule(root, { name: positionals[0]!, rule: values.rule as string | undefined, token: values.token as string | undefined });
  const verb = values['dry-run'] ? 'would ' : '';
  for (const p of plan.create.keys()) io.out(`${verb}create ${p}`);
  for (const p of plan.update.keys()) io.out(`${verb}update ${p}`);
  if (values['dry-run']) return 0;
  applyPlan(root, plan);
  io.out(`${ctx.packageName}: module ${ctx.token} (rule ${ctx.rule}) scaffolded and registered in @plugconv/yolo`);
  const stale = [...planRegistry(root).changes.keys()];
  if (stale.length) io.err(`warning: ${stale.join(', ')} ${stale.length > 1 ? 'were' : 'was'} already out of step with the workspace; run 'pnpm gen registry'`);
  if (!values['no-install']) {
    io.out('pnpm install (links the new package, updates pnpm-lock.yaml)');
    if (!io.install(root)) {
      io.err(`pnpm gen: the files are written, but 'pnpm install' failed; run it yourself before building`);
      return 1;
    }
  }
  io.out(`next: pnpm build && npx vitest run packages/${ctx.name}   (then edit packages/${ctx.name}/src/${ctx.name}.ts; see docs/guides/writing-a-module.md)`);
  return 0;
}

function registryCommand(positionals: string[], values: Values, io: CliIO): number {
  if (positionals.length) throw new GenError(`pnpm gen registry takes no arguments, got ${positionals.join(' ')}\n${USAGE}`);
  const root = findRoot(io.cwd);
  const { entries, changes } = planRegistry(root);
  const names = entries.map((e) => e.packageName).join(', ') || 'none';
  if (values.check) {
    if (!changes.size) {
      io.out(`registry up to date (module packages: ${names})`);
      return 0;
    }
    for (const p of changes.keys()) io.err(`stale: ${p}`);
    io.err("run 'pnpm gen registry' to rebuild it (module packages found: " + names + ')');
    return 1;
  }
  for (const [rel, content] of changes) {
    writeFileSync(join(root, rel), content);
    io.out(`update ${rel}`);
  }
  io.out(changes.size ? `registry rebuilt (module packages: ${names})` : `registry up to date (module packages: ${names})`);
  return 0;
}

function anatomyCommand(positionals: string[], io: CliIO): number {
  const root = findRoot(io.cwd);
  const all = modulePackages(root);
  const unknown = positionals.filter((n) => !all.some((p) => p.base === n));
  if (unknown.length) throw new GenError(`not a module package: ${unknown.join(', ')} (module packages: ${all.map((p) => p.base).join(', ')})`);
  const packages = positionals.length ? all.filter((p) => positionals.includes(p.base)) : all;
  const shippedConfig = shippedConfigs(root);
  let failed = 0;
  for (const p of packages) {
    const problems = anatomyProblems(treeFromDisk(join(root, p.dir)), { name: p.base, shippedConfig });
    if (problems.length) failed++;
    for (const line of problems) io.err(`${p.dir}/${line}`);
  }
  const names = packages.map((p) => p.base).join(', ');
  if (failed) {
    io.err(`${failed} of ${packages.length} module packages differ from the anatomy \`pnpm gen module\` writes (tools/gen/src/anatomy.ts)`);
    return 1;
  }
  io.out(`anatomy ok: ${names}`);
  return 0;
}

/**
 * Runs `pnpm gen` with its arguments. Exit codes: 0 done (or up to date), 1 `registry --check` found a stale
 * file, `anatomy` found a difference or `pnpm install` failed, 2 bad usage or refused input (nothing written).
 */
export function main(argv: string[], io: Partial<CliIO> = {}): number {
  const full: CliIO = { ...defaultIO, ...io };
  try {
    const [command, ...rest] = argv;
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      full.out(USAGE);
      return command ? 0 : 2;
    }
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options:
        command === 'module'
          ? { rule: { type: 'string' }, token: { type: 'string' }, 'no-install': { type: 'boolean' }, 'dry-run': { type: 'boolean' } }
          : command === 'registry'
            ? { check: { type: 'boolean' } }
            : {},
    });
    if (command === 'module') return moduleCommand(positionals, values, full);
    if (command === 'registry') return registryCommand(positionals, values, full);
    if (command === 'anatomy') return anatomyCommand(positionals, full);
    throw new GenError(`unknown command '${command}'\n${USAGE}`);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof GenError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      full.err(`pnpm gen: ${err.message}`);
      return 2;
    }
    throw e;
  }
}

const entry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (entry || process.argv[1]?.endsWith('/plugconv-gen')) process.exitCode = main(process.argv.slice(2));
