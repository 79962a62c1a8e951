import { distance } from 'fastest-levenshtein';
import type { ModuleSpec } from './spec.js';

/** YAML tokens to module specs. Duplicate tokens are refused, naming both packages. */
export class Registry {
  private readonly specs = new Map<string, ModuleSpec>();

  /** Registers each group of specs in order (e.g. `new Registry(coreModules, modules)`). */
  constructor(...groups: readonly ModuleSpec[][]) {
    for (const g of groups) this.registerAll(g);
  }

  /** Adds one spec; a second spec under the same token from elsewhere throws, naming both packages. */
  register(spec: ModuleSpec): this {
    const prev = this.specs.get(spec.name);
    if (prev && prev !== spec) {
      throw new Error(`module '${spec.name}' from ${spec.package} clashes with the one registered by ${prev.package}`);
    }
    this.specs.set(spec.name, spec);
    return this;
  }

  /** Adds every spec of a group (see {@link Registry.register}). */
  registerAll(specs: readonly ModuleSpec[]): this {
    for (const s of specs) this.register(s);
    return this;
  }

  /** Whether `name` is a registered YAML token. */
  has(name: string): boolean {
    return this.specs.has(name);
  }

  /** The spec for `name`, or undefined. */
  get(name: string): ModuleSpec | undefined {
    return this.specs.get(name);
  }

  /** Every spec in registration order. */
  all(): ModuleSpec[] {
    return [...this.specs.values()];
  }

  /** Up to `n` registered names closest to `name` (edit distance, case-insensitive). */
  nearest(name: string, n = 3): string[] {
    return nearestNames(name, this.all().map((s) => s.name), n);
  }
}

/**
 * Up to `n` of `candidates` closest to `name` by edit distance, case-insensitive, closest first (ties in
 * alphabetical order): the "did you mean" of unknown YAML tokens and config names.
 */
export function nearestNames(name: string, candidates: readonly string[], n = 3): string[] {
  const lower = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: distance(lower, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((x) => x.c);
}
