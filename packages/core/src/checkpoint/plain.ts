import { PyAttribute, PyGlobal, PyObject } from './python-objects.js';
import { TorchTensor } from './tensor.js';

/** A JSON value. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

/** Sets a key as an own property, whatever its name (`__proto__` included). */
function define(obj: Record<string, PlainValue>, key: string, value: PlainValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A JSON-friendly copy of an unpickled value (a checkpoint's YAML dict, train args...): dicts become objects
 * with string keys, tuples and sets arrays, ints beyond 2^53 decimal strings, non-finite floats strings; bytes,
 * tensors and placeholders become short descriptions (`<bytes 8>`, `<tensor F16 [3]>`, `<ultralytics.x.Y>`),
 * except namespaces and other objects whose state is a dict, which become `{ __class__, ...state }`. Cycles,
 * nesting deeper than `maxDepth` and values past the first `maxValues` (shared values repeat in the copy) become
 * `<...>`.
 */
export function toPlain(value: unknown, maxDepth = 64, maxValues = 1_000_000): PlainValue {
  const ancestors = new Set<unknown>();
  let left = maxValues;
  const walk = (v: unknown, depth: number): PlainValue => {
    if (--left < 0) return '<...>';
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return `<bytes ${v.length}>`;
    if (v instanceof TorchTensor) return `<tensor ${v.dtype} [${v.shape.join(', ')}]>`;
    if (v instanceof PyGlobal) return `<${v.qualname}>`;
    if (v instanceof PyAttribute) return `<${walk(v.owner, depth)}.${v.name}>`;
    if (typeof v !== 'object') return String(v);
    if (ancestors.has(v) || depth >= maxDepth) return '<...>';
    ancestors.add(v);
    try {
      if (Array.isArray(v) || v instanceof Set) return [...v].map((x) => walk(x, depth + 1));
      const entries = v instanceof Map ? [...v] : v instanceof PyObject && v.state instanceof Map ? [['__class__', v.cls.qualname], ...v.state] : undefined;
      if (!entries) return v instanceof PyObject ? `<${v.cls.qualname}>` : String(v);
      const out: Record<string, PlainValue> = {};
      for (const [k, x] of entries) define(out, typeof k === 'string' ? k : String(walk(k, depth + 1)), walk(x, depth + 1));
      return out;
    } finally {
      ancestors.delete(v);
    }
  };
  return walk(value, 0);
}
