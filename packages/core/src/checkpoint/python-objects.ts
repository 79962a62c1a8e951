/**
 * The inert stand-ins the unpickler builds for Python objects. Python values map to JavaScript as: None -> null,
 * bool -> boolean, int -> number (bigint beyond 2^53), float -> number, str -> string, bytes -> Uint8Array,
 * list -> array, tuple -> frozen array, dict and OrderedDict -> Map, set -> Set; tensors -> {@link TorchTensor};
 * everything else -> the classes below, which only hold names and data and are never resolved to code.
 */

/** A reference to a Python global (`module.name`) as a pickle names it. Never imported, never called. */
export class PyGlobal {
  constructor(
    /** The module path as written in the file (`ultralytics.nn.modules.conv`). */
    readonly module: string,
    /** The name inside the module (`Conv`). */
    readonly name: string,
  ) {}

  /** `module.name`. */
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * An instance of a class the file names (an nn.Module, an ultralytics model, a namespace...): its class, the
 * arguments it was allocated with, and the state BUILD gave it. Holds data only.
 */
export class PyObject {
  /** The state from the pickle's BUILD (for modules: a Map of attribute names to values), if any. */
  state: unknown = undefined;
  /** Items set on it by SETITEM(S) (instances of dict subclasses). */
  readonly items = new Map<unknown, unknown>();
  /** Items appended by APPEND(S) (instances of list subclasses). */
  readonly list: unknown[] = [];

  constructor(
    /** The class, by name. */
    readonly cls: PyGlobal,
    /** Arguments of its allocation (NEWOBJ) or of the allow-listed constructor that made it. */
    readonly args: readonly unknown[] = [],
  ) {}

  /** The class's name without its module (`DetectionModel`). */
  get className(): string {
    return this.cls.name;
  }

  /**
   * An attribute from the BUILD state: the state's Map (Python's `__dict__`), or the two Maps of a
   * `(dict, slots)` pair. Undefined when absent.
   */
  attr(name: string): unknown {
    for (const part of stateMaps(this.state)) if (part.has(name)) return part.get(name);
    return undefined;
  }

  /** Every attribute name of the BUILD state, in order. */
  attrNames(): string[] {
    return stateMaps(this.state).flatMap((m) => [...m.keys()].filter((k): k is string => typeof k === 'string'));
  }
}

function stateMaps(state: unknown): Map<unknown, unknown>[] {
  if (state instanceof Map) return [state];
  if (Array.isArray(state) && state.length === 2) return state.filter((s): s is Map<unknown, unknown> => s instanceof Map);
  return [];
}

/**
 * The result of the allow-listed `getattr(owner, name)` on a placeholder (ultralytics pickles bound methods
 * this way, e.g. a YOLO26 head's `postprocess`): a name, never looked up or called.
 */
export class PyAttribute {
  constructor(
    /** The placeholder the attribute was asked of. */
    readonly owner: PyGlobal | PyObject,
    /** The attribute's name. */
    readonly name: string,
  ) {}
}

/** A short description of a Python value for messages (`<ultralytics.nn.tasks.DetectionModel>`, `str`, ...). */
export function describePy(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof PyGlobal) return value.qualname;
  if (value instanceof PyObject) return `<${value.cls.qualname} object>`;
  if (value instanceof PyAttribute) return `getattr(${describePy(value.owner)}, '${value.name}')`;
  if (value instanceof Map) return 'dict';
  if (value instanceof Set) return 'set';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value === 'string' ? 'str' : typeof value === 'bigint' ? 'int' : typeof value;
}
