import { GenError } from './errors.js';

/** The channel rules a scaffolded module can declare (see ChannelRule in @plugconv/core). */
export const RULES = ['conv', 'repeat', 'fixed'] as const;

/** A channel rule `pnpm gen module` can scaffold. */
export type ScaffoldRule = (typeof RULES)[number];

/** Package names the generator never creates: plugconv's own packages. */
export const RESERVED = ['core', 'yolo', 'gen'] as const;

/** The npm scope every plugconv package lives in. */
export const SCOPE = '@plugconv';

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Maximum length of a package name (npm allows 214 for the scoped name; kept short for paths and tokens). */
export const MAX_NAME_LENGTH = 64;

/**
 * Checks a package name given to `pnpm gen module`: no path, kebab-case, not reserved. Throws a
 * {@link GenError} that names the problem.
 */
export function validatePackageName(name: string): void {
  if (name === '') throw new GenError('a package name is required: pnpm gen module <name> (kebab-case, e.g. ghost-shuffle-conv)');
  if (/[\\/]/.test(name) || name.startsWith('.') || name.includes('..')) {
    throw new GenError(`'${name}' is a path; give the package's name only (it is created as packages/<name>), e.g. ghost-shuffle-conv`);
  }
  if (name.length > MAX_NAME_LENGTH) throw new GenError(`'${name}' is longer than ${MAX_NAME_LENGTH} characters`);
  if (!KEBAB.test(name)) {
    throw new GenError(
      `'${name}' is not a kebab-case package name: lowercase words of letters and digits joined by '-', starting with a letter (e.g. ghost-shuffle-conv)`,
    );
  }
  if ((RESERVED as readonly string[]).includes(name)) {
    throw new GenError(`'${name}' is reserved (${RESERVED.join(', ')} are plugconv's own packages); pick another name`);
  }
}

/** Checks a `--rule` value. */
export function validateRule(rule: string): ScaffoldRule {
  if (!(RULES as readonly string[]).includes(rule)) throw new GenError(`--rule must be one of ${RULES.join(', ')}, got '${rule}'`);
  return rule as ScaffoldRule;
}

/** Checks a YAML token, which is also the module's class name: a TypeScript identifier. */
export function validateToken(token: string): void {
  if (!IDENTIFIER.test(token)) {
    throw new GenError(`YAML token '${token}' must be an identifier (letters, digits, '_', not starting with a digit): it is also the class name`);
  }
}

/** `ghost-shuffle-conv` -> `GhostShuffleConv` (the default YAML token and class name). */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** `ghost-shuffle-conv` -> `ghostShuffleConv`. */
export function camelCase(kebab: string): string {
  const p = pascalCase(kebab);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

/** The scoped npm name of a package directory: `ghost-shuffle-conv` -> `@plugconv/ghost-shuffle-conv`. */
export function scopedName(dir: string): string {
  return `${SCOPE}/${dir}`;
}

/**
 * The identifier a package's `modules` is imported as in the registry: the last segment of its npm name in
 * camelCase + `Modules` (`@plugconv/dsconv` -> `dsconvModules`, `@plugconv/ghost-shuffle-conv` ->
 * `ghostShuffleConvModules`).
 */
export function registryAlias(packageName: string): string {
  const last = packageName.slice(packageName.lastIndexOf('/') + 1).replace(/[^a-z0-9-]/gi, '-');
  return `${camelCase(last.toLowerCase())}Modules`;
}

/** Code-point order (stable across locales); every list the generator sorts uses it. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
