import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { GenError } from './errors.js';
import { addDependency, addReference } from './json-edit.js';
import { registryAlias } from './names.js';
import { renderRegistry, type RegistryEntry } from './registry-source.js';
import { exportsModules, sourceFiles, tokensInSource } from './source-scan.js';
import { listPackages, PATHS, type WorkspacePackage } from './workspace.js';

/** Packages the registry never lists as module packages: core (passed as coreModules) and the distribution. */
const NOT_MODULE_PACKAGES = new Set(['packages/core', 'packages/yolo']);

/** The workspace's module packages: packages/* whose src/index.ts exports `modules`. */
export function modulePackages(root: string): WorkspacePackage[] {
  return listPackages(root).filter(
    (p) => p.dir.startsWith('packages/') && !NOT_MODULE_PACKAGES.has(p.dir) && exportsModules(join(root, p.dir, 'src/index.ts')),
  );
}

/** Registry entries for packages, refusing two packages that would be imported under the same name. */
export function registryEntries(packages: readonly WorkspacePackage[]): RegistryEntry[] {
  const byAlias = new Map<string, string>();
  return packages.map((p) => {
    const alias = registryAlias(p.name);
    const other = byAlias.get(alias);
    if (other) throw new GenError(`${other} and ${p.name} would both be imported as '${alias}' in ${PATHS.registry}; rename one of them`);
    byAlias.set(alias, p.name);
    return { packageName: p.name, alias };
  });
}

/** Reads a file of the repository (relative path), or undefined when it does not exist. */
export function readRepoFile(root: string, rel: string): string | undefined {
  const abs = join(root, rel);
  return existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
}

/** The reference from packages/yolo to a package directory (`packages/dsconv` -> `../dsconv`). */
export function referenceFromYolo(dir: string): string {
  return posix.relative('packages/yolo', dir);
}

/**
 * What `pnpm gen registry` writes: registry.generated.ts rendered from the module packages, and in
 * packages/yolo's package.json and tsconfig.json the dependency and reference each of them needs (added, never
 * removed). Returns only the files whose content would change (relative path -> new content).
 */
export function planRegistry(root: string): { entries: RegistryEntry[]; changes: Map<string, string> } {
  const packages = modulePackages(root);
  const entries = registryEntries(packages);
  const changes = new Map<string, string>();
  const registry = renderRegistry(entries);
  if (readRepoFile(root, PATHS.registry) !== registry) changes.set(PATHS.registry, registry);

  const pj = readRepoFile(root, PATHS.yoloPackageJson);
  if (pj !== undefined) {
    const next = packages.reduce((t, p) => addDependency(t, p.name, 'workspace:*', 'dependencies', PATHS.yoloPackageJson), pj);
    if (next !== pj) changes.set(PATHS.yoloPackageJson, next);
  }
  const ts = readRepoFile(root, PATHS.yoloTsconfig);
  if (ts !== undefined) {
    const next = packages.reduce((t, p) => addReference(t, referenceFromYolo(p.dir), PATHS.yoloTsconfig), ts);
    if (next !== ts) changes.set(PATHS.yoloTsconfig, next);
  }
  return { entries, changes };
}

/** Every YAML token declared in the ModuleSpecs of packages/*\/src (core's blocks included): token -> package. */
export function registeredTokens(root: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const p of listPackages(root)) {
    if (!p.dir.startsWith('packages/')) continue;
    for (const file of sourceFiles(join(root, p.dir, 'src'))) {
      for (const { token } of tokensInSource(file, readFileSync(file, 'utf8'))) if (!tokens.has(token)) tokens.set(token, p.name);
    }
  }
  return tokens;
}
