import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { GenError } from './errors.js';

/** A package of the pnpm workspace. */
export interface WorkspacePackage {
  /** npm name from its package.json (`@plugconv/dsconv`). */
  name: string;
  /** Directory relative to the repository root, with forward slashes (`packages/dsconv`). */
  dir: string;
  /** The directory's last segment (`dsconv`). */
  base: string;
}

/** The folders the workspace's packages live in (pnpm-workspace.yaml: packages/*, tools/*). */
export const WORKSPACE_FOLDERS = ['packages', 'tools'] as const;

/** Paths of the files `pnpm gen` edits, relative to the repository root. */
export const PATHS = {
  registry: 'packages/yolo/src/registry.generated.ts',
  yoloPackageJson: 'packages/yolo/package.json',
  yoloTsconfig: 'packages/yolo/tsconfig.json',
  typedoc: 'typedoc.json',
  changesets: '.changeset',
  /** Core's fixtures: the starter's PyTorch fixture and yolov8.yaml come from here. */
  coreFixtures: 'packages/core/fixtures',
  /** The distribution's configs, which module packages' fixture configs copy. */
  yoloConfigs: 'packages/yolo/configs',
} as const;

/** The repository root: the nearest folder at or above `from` with a pnpm-workspace.yaml. */
export function findRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new GenError(`no pnpm-workspace.yaml at or above ${from}: run pnpm gen inside the plugconv repository`);
    dir = up;
  }
}

/** Reads a JSON file, naming it when it is not valid JSON. */
export function readJson<T = Record<string, unknown>>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new GenError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Every workspace package under packages/ and tools/, sorted by directory. */
export function listPackages(root: string): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const folder of WORKSPACE_FOLDERS) {
    const abs = join(root, folder);
    if (!existsSync(abs)) continue;
    for (const base of readdirSync(abs).sort()) {
      const pj = join(abs, base, 'package.json');
      if (!existsSync(pj) || !statSync(join(abs, base)).isDirectory()) continue;
      const name = readJson<{ name?: string }>(pj).name;
      if (typeof name === 'string') out.push({ name, dir: relative(root, join(abs, base)).split('\\').join('/'), base });
    }
  }
  return out;
}
