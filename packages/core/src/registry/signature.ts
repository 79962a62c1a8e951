import type { ArgSpec, BuildContext, ModuleSpec } from './spec.js';
import type { Module } from '../nn/module.js';
import { DEFAULT_ULTRALYTICS } from '../parse/semantics.js';

function typeOk(v: unknown, a: ArgSpec): boolean {
  if (v === null || v === undefined) return !!a.nullable || v === undefined;
  const atLeast = (x: number) => a.min === undefined || x >= a.min;
  switch (a.type) {
    case 'int':
      return Number.isInteger(v) && atLeast(v as number);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && atLeast(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'int[]':
      return Array.isArray(v) && v.every((x) => Number.isInteger(x));
    case 'any':
      return true;
  }
}

function expected(a: ArgSpec): string {
  const type = a.min === 1 && a.type === 'int' ? 'a positive int' : a.min !== undefined ? `${a.type} >= ${a.min}` : a.type;
  return `${type}${a.nullable ? ' or None' : ''}`;
}

/** Checks arguments against a spec's signature; returns a message naming the argument, or null when they fit. */
export function checkArgs(spec: ModuleSpec, args: readonly unknown[]): string | null {
  if (args.length > spec.signature.length) {
    return `${spec.name} takes at most ${spec.signature.length} arguments (${spec.signature.map((a) => a.name).join(', ')}), got ${args.length}`;
  }
  for (let j = 0; j < spec.signature.length; j++) {
    const a = spec.signature[j]!;
    const v = args[j];
    if (v === undefined && !a.optional) return `${spec.name} needs argument '${a.name}'`;
    if (!typeOk(v, a)) return `${spec.name} argument '${a.name}' must be ${expected(a)}, got ${JSON.stringify(v)}`;
  }
  return null;
}

/** The context of a module built on its own (no YAML): no scale, the default semantics unless given. */
export function moduleContext(ctx: Partial<BuildContext> = {}): BuildContext {
  return { ultralytics: DEFAULT_ULTRALYTICS, legacyHead: true, ...ctx };
}

/** A spec's arguments after its build-dependent rule ({@link ModuleSpec.buildArgs}), if it has one. */
export function specArgs(spec: ModuleSpec, args: readonly unknown[], ctx: BuildContext): unknown[] {
  return spec.buildArgs ? spec.buildArgs(args, ctx) : [...args];
}

/**
 * Builds one module from its constructor arguments (c1 first, as a module fixture's JSON gives them) the way a
 * YAML row would: the spec's build-dependent rule for `ctx` (e.g. `{ ultralytics: '8.2' }` for SPPF's 8.2 cv1
 * activation), the signature check (an Error naming the argument), then `create`.
 */
export function createModule(spec: ModuleSpec, args: readonly unknown[], ctx: Partial<BuildContext> = {}): Module<any, any> {
  const built = specArgs(spec, args, moduleContext(ctx));
  const problem = checkArgs(spec, built);
  if (problem) throw new Error(problem);
  return spec.create(...built);
}
