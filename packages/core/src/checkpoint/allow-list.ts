import { PyAttribute, PyGlobal, PyObject, describePy } from './python-objects.js';
import { TorchStorage, TorchTensor } from './tensor.js';

/**
 * Modules whose globals exist to run code, spawn processes, touch files or build code objects. A pickle that
 * merely names one of them is refused, called or not: no checkpoint has a reason to.
 */
export const CODE_MODULES: readonly string[] = [
  'os', 'posix', 'nt', 'subprocess', '_posixsubprocess', 'commands', 'popen2', 'pty', 'sys', 'shutil', 'socket',
  'importlib', 'imp', 'runpy', 'code', 'codeop', 'pickle', '_pickle', 'cPickle', 'marshal', 'ctypes', 'webbrowser',
  'multiprocessing', 'signal', 'pdb', 'bdb', 'timeit', 'trace', 'profile', 'cProfile', 'asyncio', 'threading',
  '_thread', 'thread', 'functools', 'operator', 'inspect', 'io', '_io', 'tempfile', 'platform', 'ssl', 'http',
  'urllib', 'urllib2', 'requests', 'ftplib', 'smtplib', 'telnetlib', 'zipimport', 'pkgutil', 'site', 'sysconfig',
  'torch.hub', 'torch.jit', 'torch.serialization', 'torch.ops', 'torch._C', 'torch.utils.cpp_extension',
];

/** Builtins a pickle may name (data types and the two allow-listed callables); every other builtin is refused. */
const BUILTIN_NAMES = new Set(['set', 'frozenset', 'getattr', 'object', 'list', 'dict', 'tuple', 'int', 'float', 'str', 'bytes', 'bytearray', 'bool', 'complex', 'slice', 'range']);

/** `types` names that are plain data (types.FunctionType, CodeType... build code and are refused). */
const TYPES_NAMES = new Set(['SimpleNamespace']);

/** Whether naming the global `module.name` is refused outright (see {@link CODE_MODULES}). */
export function namesCode(module: string, name: string): boolean {
  if (module === 'builtins' || module === '__builtin__') return !BUILTIN_NAMES.has(name);
  if (module === 'types') return !TYPES_NAMES.has(name);
  return CODE_MODULES.some((m) => module === m || module.startsWith(`${m}.`));
}

/** What a call handler may ask of the unpickler. */
export interface CallContext {
  /** Throws a bad-pickle error with this detail (the unpickler adds the file and byte offset). */
  fail(detail: string): never;
  /** Throws the refusal of calling `what` (a global's qualname or a description). */
  refuse(what: string): never;
  /** Calls another value through the allow-list (for reconstructors that take a function argument). */
  call(func: unknown, args: readonly unknown[]): unknown;
}

/** Interprets one allow-listed callable: its arguments, the context, and the global itself. */
type Handler = (args: readonly unknown[], ctx: CallContext, func: PyGlobal) => unknown;

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => isInt(d) && d >= 0);

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`. */
function rebuildTensor(a: readonly unknown[], ctx: CallContext): TorchTensor {
  const [storage, offset, size, stride, requiresGrad] = a;
  if (!(storage instanceof TorchStorage)) ctx.fail(`_rebuild_tensor_v2 needs a storage, got ${describePy(storage)}`);
  if (!isInt(offset) || offset < 0) ctx.fail(`_rebuild_tensor_v2: bad storage offset ${String(offset)}`);
  if (!isIntList(size) || !isIntList(stride) || size.length !== stride.length) {
    ctx.fail(`_rebuild_tensor_v2: bad size/stride ${JSON.stringify(size)} / ${JSON.stringify(stride)}`);
  }
  return new TorchTensor(storage, offset, size, stride, requiresGrad === true);
}

/** `_rebuild_parameter(data, requires_grad, hooks[, state])`: the tensor, marked as a parameter. */
function rebuildParameter(a: readonly unknown[], ctx: CallContext): TorchTensor {
  const t = a[0];
  if (!(t instanceof TorchTensor)) ctx.fail(`_rebuild_parameter needs a tensor, got ${describePy(t)}`);
  t.isParameter = true;
  return t;
}

/** `torch._tensor._rebuild_from_type_v2(func, type, args, state)` for plain tensors and parameters. */
function rebuildFromType(a: readonly unknown[], ctx: CallContext): unknown {
  const [func, type, args] = a;
  const plain = type instanceof PyGlobal && ['torch.Tensor', 'torch.nn.parameter.Parameter'].includes(type.qualname);
  if (!plain) ctx.refuse(`torch._tensor._rebuild_from_type_v2 of ${describePy(type)}`);
  if (!Array.isArray(args)) ctx.fail('_rebuild_from_type_v2: arguments are not a tuple');
  const t = ctx.call(func, args);
  if (!(t instanceof TorchTensor)) ctx.fail(`_rebuild_from_type_v2 did not rebuild a tensor (${describePy(t)})`);
  if ((type as PyGlobal).name === 'Parameter') t.isParameter = true;
  return t;
}

/** `_codecs.encode(text, 'latin1')`: how protocol 2 spells bytes in Python 3 (numpy scalars use it). */
function latin1(a: readonly unknown[], ctx: CallContext): Uint8Array {
  const [text, encoding] = a;
  if (typeof text !== 'string' || !['latin1', 'latin-1', 'iso-8859-1'].includes(String(encoding).toLowerCase())) {
    ctx.refuse(`_codecs.encode with ${describePy(text)} and encoding ${JSON.stringify(encoding)}`);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255) ctx.fail('_codecs.encode: a latin1 string holds a character above 255');
    out[i] = c;
  }
  return out;
}

const NUMPY_SCALARS: Record<string, (v: DataView) => number | bigint> = {
  f8: (v) => v.getFloat64(0, true),
  f4: (v) => v.getFloat32(0, true),
  i8: (v) => v.getBigInt64(0, true),
  i4: (v) => v.getInt32(0, true),
  i2: (v) => v.getInt16(0, true),
  i1: (v) => v.getInt8(0),
  u1: (v) => v.getUint8(0),
  b1: (v) => v.getUint8(0),
};

/** `numpy.core.multiarray.scalar(dtype, bytes)`: the number for plain little-endian scalars, else a placeholder. */
function numpyScalar(a: readonly unknown[], cls: PyGlobal): unknown {
  const [dtype, data] = a;
  const name = dtype instanceof PyObject && typeof dtype.args[0] === 'string' ? dtype.args[0] : '';
  const order = dtype instanceof PyObject && Array.isArray(dtype.state) ? dtype.state[1] : '<';
  const decode = NUMPY_SCALARS[name];
  if (!decode || order === '>' || !(data instanceof Uint8Array) || data.length < Number(name.slice(1))) return new PyObject(cls, a);
  const v = decode(new DataView(data.buffer, data.byteOffset, data.length));
  return name === 'b1' ? v !== 0 : typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

/** A handler that makes an inert instance of the called class, keeping the arguments `keep` selects. */
const placeholder =
  (keep: (a: readonly unknown[]) => readonly unknown[] = (a) => a): Handler =>
  (a, _ctx, cls) =>
    new PyObject(cls, keep(a));

const alias = (names: string[], h: Handler): [string, Handler][] => names.map((n) => [n, h]);

/**
 * Every callable the unpickler interprets, by qualname. Nothing else is ever called: REDUCE, INST, OBJ and
 * NEWOBJ_EX of any other global, and any call of a non-global, are refused.
 */
const CALLS = new Map<string, Handler>([
  // tensors (torch >= 1.13 zip checkpoints)
  ['torch._utils._rebuild_tensor_v2', rebuildTensor],
  ['torch._utils._rebuild_parameter', rebuildParameter],
  ['torch._utils._rebuild_parameter_with_state', rebuildParameter],
  ['torch._tensor._rebuild_from_type_v2', rebuildFromType],
  ['torch.Size', (a, ctx) => (isIntList(a[0]) ? Object.freeze([...a[0]]) : ctx.fail(`torch.Size of ${describePy(a[0])}`))],
  ['torch.device', (a) => a.filter((x) => x !== null && x !== undefined).join(':')],
  // containers
  ['collections.OrderedDict', (a, ctx) => dictFrom(a[0], ctx)],
  ...alias(['builtins.set', '__builtin__.set', 'builtins.frozenset', '__builtin__.frozenset'], (a, ctx) => setFrom(a[0], ctx)),
  ...alias(['builtins.getattr', '__builtin__.getattr'], (a, ctx) => {
    const [owner, name] = a;
    if (!(owner instanceof PyObject || owner instanceof PyGlobal) || typeof name !== 'string') return ctx.refuse(`getattr(${describePy(owner)}, ${describePy(name)})`);
    return new PyAttribute(owner, name);
  }),
  // inert data constructors of the non-tensor values ultralytics pickles (last.pt: args namespace, numpy fitness)
  ...alias(['types.SimpleNamespace', 'ultralytics.utils.IterableSimpleNamespace', 'ultralytics.yolo.utils.IterableSimpleNamespace'], placeholder(() => [])),
  ...alias(['copyreg._reconstructor', 'copy_reg._reconstructor'], (a, ctx) => (a[0] instanceof PyGlobal ? new PyObject(a[0]) : ctx.fail('_reconstructor of a non-class'))),
  ['_codecs.encode', latin1],
  ['numpy.dtype', placeholder()],
  ...alias(['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar'], (a, _ctx, cls) => numpyScalar(a, cls)),
  ...alias(['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct'], (a, ctx) =>
    a[0] instanceof PyGlobal ? new PyObject(a[0], a.slice(1)) : ctx.fail('_reconstruct of a non-class'),
  ),
]);

/** The qualnames of every callable the unpickler interprets (the allow-list), for documentation and messages. */
export const ALLOWED_CALLS: readonly string[] = [...CALLS.keys()];

function dictFrom(items: unknown, ctx: CallContext): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  if (items === undefined) return out;
  if (items instanceof Map) return new Map(items);
  if (!Array.isArray(items)) ctx.fail(`OrderedDict of ${describePy(items)}`);
  for (const pair of items) {
    if (!Array.isArray(pair) || pair.length !== 2) ctx.fail('OrderedDict items are not (key, value) pairs');
    out.set(pair[0], pair[1]);
  }
  return out;
}

function setFrom(items: unknown, ctx: CallContext): Set<unknown> {
  if (items === undefined) return new Set();
  if (!Array.isArray(items) && !(items instanceof Set)) ctx.fail(`set of ${describePy(items)}`);
  return new Set(items);
}

/** Calls `func` if it is an allow-listed global; anything else is refused through `ctx.refuse`. */
export function callAllowed(func: unknown, args: readonly unknown[], ctx: CallContext): unknown {
  if (!(func instanceof PyGlobal)) return ctx.refuse(describePy(func));
  const handler = CALLS.get(func.qualname);
  if (!handler) return ctx.refuse(func.qualname);
  return handler(args, ctx, func);
}

/** Allocation (NEWOBJ) of `cls`: dicts and sets become Map and Set, every other class an inert {@link PyObject}. */
export function allocate(cls: PyGlobal, args: readonly unknown[]): unknown {
  if (cls.qualname === 'collections.OrderedDict') return new Map();
  if (/^(__builtin__|builtins)\.(set|frozenset)$/.test(cls.qualname)) return new Set();
  return new PyObject(cls, args);
}
