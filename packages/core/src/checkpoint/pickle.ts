// Why a pickle VM of our own: the npm pickle parsers resolve globals through a callback and then call or
// construct whatever it returns (REDUCE calls it, NEWOBJ constructs it, BUILD calls a `__setstate__` it finds on
// the object), so "refuse calls, allow allocation" needs wrapper tricks; they also copy dict state into objects
// with Object.assign (a `__proto__` key reassigns the object's prototype), spread APPENDS/REDUCE arguments onto
// the call stack (large lists throw RangeError), read LONG1 as unsigned, bound no memo, and fail on malformed
// input with TypeErrors from inside. The format torch.save writes is small (protocol 2, ~40 opcodes); this VM
// implements protocols 0-5 in one switch where every opcode's effect on the inert values is spelled out.
import { allocate, callAllowed, namesCode, type CallContext } from './allow-list.js';
import { CheckpointError } from './errors.js';
import { PyGlobal, PyObject, describePy } from './python-objects.js';

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** The file, for messages. */
  source: string;
  /** The pickle's name inside the file (`archive/data.pkl`), for messages. */
  entry: string;
  /** Resolves a persistent id (torch: a storage); receives the id as unpickled. */
  persistentLoad(pid: unknown): unknown;
  /** Most memo entries (default 10 000 000). */
  maxMemo?: number;
  /** Deepest MARK nesting (default 10 000). */
  maxDepth?: number;
}

/** A pickle problem, with its byte offset; turned into a CheckpointError by the unpickler. */
class PickleFault extends Error {}

const utf8 = new TextDecoder('utf-8');

/** Bytes as ISO-8859-1 text (TextDecoder's 'latin1' is windows-1252, which differs in 0x80-0x9f). */
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** A frozen array: how tuples are told from lists. */
const tuple = (items: unknown[]): readonly unknown[] => Object.freeze(items);

/**
 * Unpickles `bytes` (protocols 0 to 5, as torch.save's data.pkl) into inert values (see python-objects.ts):
 * globals become names, class instances {@link PyObject}s, and only the allow-listed reconstructors are
 * interpreted; a global that runs code is refused, named, before anything else happens. Never executes
 * anything from the file. Errors are {@link CheckpointError}s naming the file, the entry and the byte offset.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  return new Unpickler(bytes, options).run();
}

class Unpickler {
  private pos = 0;
  private at = 0;
  private stack: unknown[] = [];
  private readonly marks: unknown[][] = [];
  /** The memo, by key (dense from 0 in pickles Python writes; `undefined` = never stored). */
  private readonly memo: unknown[] = [];
  private memoSize = 0;
  private readonly view: DataView;
  private readonly maxMemo: number;
  private readonly maxDepth: number;
  private readonly ctx: CallContext;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxMemo = options.maxMemo ?? 10_000_000;
    this.maxDepth = options.maxDepth ?? 10_000;
    this.ctx = {
      fail: (detail) => {
        throw new PickleFault(detail);
      },
      refuse: (what) => this.refuse(what, 'called by'),
      call: (func, args) => callAllowed(func, args, this.ctx),
    };
  }

  run(): unknown {
    try {
      return this.loop();
    } catch (e) {
      if (e instanceof PickleFault) {
        const { source, entry } = this.options;
        throw new CheckpointError('bad-pickle', source, `${source}: ${entry} is not a valid pickle (${e.message} at byte ${this.at}): the file is corrupt or not a torch.save checkpoint`);
      }
      if (e instanceof RangeError) {
        throw new CheckpointError('too-large', this.options.source, `${this.options.source}: ${this.options.entry} is too large or too deeply nested to read (${e.message})`);
      }
      throw e;
    }
  }

  private refuse(what: string, how: string): never {
    const { source, entry } = this.options;
    const op = OPNAMES[this.bytes[this.at]!] ?? 'opcode';
    throw new CheckpointError(
      'refused-global',
      source,
      `${source}: refused global '${what}' (${how} ${op} at byte ${this.at} of ${entry}): this file wants to run code. ` +
        'plugconv never runs code from a checkpoint and interprets only the torch/ultralytics reconstructors on its allow-list; ' +
        'do not open this file with torch.load either (that would run it)',
    );
  }

  private fault(detail: string): never {
    throw new PickleFault(detail);
  }

  // ---- reading ------------------------------------------------------------------------------------------------
  private need(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0) this.fault(`bad length ${n}`);
    if (this.pos + n > this.bytes.length) this.fault(`${n} bytes wanted, ${this.bytes.length - this.pos} left (the pickle is cut short)`);
    const p = this.pos;
    this.pos += n;
    return p;
  }
  private u8 = () => this.bytes[this.need(1)]!;
  private u16 = () => this.view.getUint16(this.need(2), true);
  private u32 = () => this.view.getUint32(this.need(4), true);
  private i32 = () => this.view.getInt32(this.need(4), true);
  private u64(): number {
    const p = this.need(8);
    const v = this.view.getBigUint64(p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fault(`length ${v} is too large`);
    return Number(v);
  }
  private raw(n: number): Uint8Array {
    const p = this.need(n);
    return this.bytes.subarray(p, p + n);
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fault('a text argument without its end of line');
    const text = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }
  private str = (n: number) => utf8.decode(this.raw(n));

  // ---- stack ---------------------------------------------------------------------------------------------------
  private push(v: unknown): void {
    this.stack.push(v);
  }
  private pop(): unknown {
    if (!this.stack.length) this.fault('stack underflow');
    return this.stack.pop();
  }
  private top(): unknown {
    if (!this.stack.length) this.fault('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const items = this.stack;
    const prev = this.marks.pop();
    if (!prev) this.fault('no MARK to pop');
    this.stack = prev;
    return items;
  }
  private put(key: number): void {
    if (!Number.isSafeInteger(key) || key < 0) this.fault(`bad memo key ${key}`);
    if (this.memo[key] === undefined && ++this.memoSize > this.maxMemo) {
      throw new CheckpointError('too-large', this.options.source, `${this.options.source}: ${this.options.entry} stores over ${this.maxMemo} memo entries, over the limit`);
    }
    this.memo[key] = this.top();
  }
  private get(key: number): void {
    const v = this.memo[key];
    if (v === undefined) this.fault(`memo key ${key} was never stored`);
    this.push(v);
  }

  // ---- values --------------------------------------------------------------------------------------------------
  private global(module: string, name: string): PyGlobal {
    if (namesCode(module, name)) this.refuse(`${module}.${name}`, 'named by');
    return new PyGlobal(module, name);
  }
  private long(b: Uint8Array): number | bigint {
    if (b.length === 0) return 0;
    if (b.length > 4096) this.fault(`an integer of ${b.length} bytes`);
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  private textInt(s: string): number | bigint | boolean {
    if (s === '01') return true;
    if (s === '00') return false;
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (!/^[-+]?\d+$/.test(t)) this.fault(`bad integer ${JSON.stringify(s)}`);
    const v = BigInt(t);
    return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  private quoted(s: string): string {
    const q = s[0];
    if (s.length < 2 || (q !== '"' && q !== "'") || s[s.length - 1] !== q) this.fault('a STRING argument without quotes');
    return unescape(s.slice(1, -1));
  }
  private setItems(target: unknown, items: unknown[]): void {
    if (items.length % 2) this.fault('SETITEMS with an odd number of items');
    const map = target instanceof Map ? target : target instanceof PyObject ? target.items : this.fault(`SETITEM on a ${describePy(target)}`);
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
  }
  private append(target: unknown, items: unknown[]): void {
    const list = Array.isArray(target) && !Object.isFrozen(target) ? target : target instanceof PyObject ? target.list : this.fault(`APPEND on a ${describePy(target)}`);
    for (const x of items) list.push(x);
  }
  private build(target: unknown, state: unknown): void {
    if (target instanceof PyObject) {
      if (target.state instanceof Map && state instanceof Map) for (const [k, v] of state) target.state.set(k, v);
      else target.state = state;
      return;
    }
    // an OrderedDict's attributes (torch state dicts carry `_metadata`), a tensor's python attributes: kept nowhere
    if (target instanceof Map || (typeof target === 'object' && target !== null && !Array.isArray(target))) return;
    this.fault(`BUILD on a ${describePy(target)}`);
  }
  private call(func: unknown, args: unknown): unknown {
    if (!Array.isArray(args)) this.fault(`call arguments are a ${describePy(args)}, not a tuple`);
    return callAllowed(func, args, this.ctx);
  }
  private newObj(cls: unknown, args: unknown): unknown {
    if (!(cls instanceof PyGlobal)) return this.refuse(describePy(cls), 'allocated by');
    if (!Array.isArray(args)) this.fault('NEWOBJ arguments are not a tuple');
    return allocate(cls, args);
  }

  private loop(): unknown {
    const b = this.bytes;
    while (this.pos < b.length) {
      this.at = this.pos;
      const op = b[this.pos++]!;
      switch (op) {
        case 0x80: // PROTO
          if (this.u8() > 5) this.fault('pickle protocol above 5');
          break;
        case 0x95: // FRAME
          this.u64();
          break;
        case 0x2e: // STOP
          return this.pop();
        case 0x28: // MARK
          if (this.marks.length >= this.maxDepth) {
            throw new CheckpointError('too-large', this.options.source, `${this.options.source}: ${this.options.entry} nests values deeper than ${this.maxDepth} (at byte ${this.at})`);
          }
          this.marks.push(this.stack);
          this.stack = [];
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        // memo
        case 0x70: // PUT
          this.put(Number(this.textInt(this.line())));
          break;
        case 0x71: // BINPUT
          this.put(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.put(this.u32());
          break;
        case 0x94: // MEMOIZE
          this.put(this.memoSize);
          break;
        case 0x67: // GET
          this.get(Number(this.textInt(this.line())));
          break;
        case 0x68: // BINGET
          this.get(this.u8());
          break;
        case 0x6a: // LONG_BINGET
          this.get(this.u32());
          break;
        // constants and numbers
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x49: // INT
          this.push(this.textInt(this.line()));
          break;
        case 0x4c: // LONG
          this.push(this.textInt(this.line()));
          break;
        case 0x46: // FLOAT
          this.push(Number.parseFloat(this.line()));
          break;
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.push(this.long(this.raw(this.u8())));
          break;
        case 0x8b: // LONG4
          this.push(this.long(this.raw(this.i32())));
          break;
        case 0x47: // BINFLOAT (big-endian)
          this.push(this.view.getFloat64(this.need(8), false));
          break;
        // strings and bytes
        case 0x53: // STRING
          this.push(this.quoted(this.line()));
          break;
        case 0x54: // BINSTRING
          this.push(this.str(this.i32()));
          break;
        case 0x55: // SHORT_BINSTRING
          this.push(this.str(this.u8()));
          break;
        case 0x56: // UNICODE (raw-unicode-escape)
          this.push(unescape(this.line()));
          break;
        case 0x58: // BINUNICODE
          this.push(this.str(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.str(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.str(this.u64()));
          break;
        case 0x42: // BINBYTES
          this.push(this.raw(this.u32()));
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.raw(this.u8()));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.raw(this.u64()));
          break;
        // containers
        case 0x29: // EMPTY_TUPLE
          this.push(tuple([]));
          break;
        case 0x74: // TUPLE
          this.push(tuple(this.popMark()));
          break;
        case 0x85: // TUPLE1
          this.push(tuple([this.pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const y = this.pop();
          this.push(tuple([this.pop(), y]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const z = this.pop();
          const y = this.pop();
          this.push(tuple([this.pop(), y, z]));
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: // LIST
          this.push(this.popMark());
          break;
        case 0x61: {
          // APPEND
          const x = this.pop();
          this.append(this.top(), [x]);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map());
          break;
        case 0x64: {
          // DICT
          const d = new Map();
          this.setItems(d, this.popMark());
          this.push(d);
          break;
        }
        case 0x73: {
          // SETITEM
          const v = this.pop();
          const k = this.pop();
          this.setItems(this.top(), [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.push(new Set());
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (!(s instanceof Set)) this.fault(`ADDITEMS on a ${describePy(s)}`);
          for (const x of items) s.add(x);
          break;
        }
        case 0x91: // FROZENSET
          this.push(new Set(this.popMark()));
          break;
        // globals, objects, calls
        case 0x63: {
          // GLOBAL
          const module = this.line();
          this.push(this.global(module, this.line()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fault('STACK_GLOBAL of non-strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          this.push(this.call(this.pop(), args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          this.push(this.newObj(this.pop(), args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          this.pop(); // kwargs
          const args = this.pop();
          this.push(this.newObj(this.pop(), args));
          break;
        }
        case 0x69: {
          // INST: a call of module.name with the marked arguments
          const module = this.line();
          const cls = this.global(module, this.line());
          this.push(this.call(cls, tuple(this.popMark())));
          break;
        }
        case 0x6f: {
          // OBJ: a call of the first marked item with the rest
          const items = this.popMark();
          if (!items.length) this.fault('OBJ without a class');
          this.push(this.call(items[0], tuple(items.slice(1))));
          break;
        }
        case 0x50: // PERSID
          this.push(this.options.persistentLoad(this.line()));
          break;
        case 0x51: // BINPERSID
          this.push(this.options.persistentLoad(this.pop()));
          break;
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: {
          // EXT4: a global by its copyreg extension code; resolving it means looking up code
          const code = op === 0x82 ? this.u8() : op === 0x83 ? this.u16() : this.i32();
          this.refuse(`copyreg extension code ${code}`, 'named by');
          break;
        }
        case 0x97: // NEXT_BUFFER
          this.fault('out-of-band buffers (pickle protocol 5) are not supported');
          break;
        case 0x98: // READONLY_BUFFER
          break;
        default:
          this.fault(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
    this.at = this.pos;
    return this.fault('the pickle ends without STOP (cut short)');
  }
}

/** Python's backslash escapes in protocol-0 strings (\\n, \\xNN, \\uNNNN, ...). */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0' } as Record<string, string>)[e] ?? `\\${e}`;
  });
}

/** Opcode names for messages about calls and refusals. */
const OPNAMES: Record<number, string> = { 0x52: 'REDUCE', 0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4' };
