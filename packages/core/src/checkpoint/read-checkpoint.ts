import { DEFAULT_CHECKPOINT_LIMITS, openTorchArchive, type CheckpointLimits } from './archive.js';
import { CheckpointError } from './errors.js';
import { unpickle } from './pickle.js';
import { toPlain, type PlainValue } from './plain.js';
import { PyGlobal, PyObject, describePy } from './python-objects.js';
import { STORAGE_DTYPES, StateDictReader, TORCH_DTYPE_BYTES, TorchStorage, TorchTensor, tensorToFloat32, type CheckpointTensor } from './tensor.js';
import {
  TASK_WORDS,
  detectSemantics,
  headOf,
  isModule,
  modelTask,
  walkModel,
  type ActivationInfo,
  type CheckpointTask,
  type DetectedSemantics,
} from './ultralytics-model.js';

/** Options of {@link readTorchFile} and {@link readCheckpoint}. */
export interface ReadCheckpointOptions {
  /** The file's name or path, for messages (default `<checkpoint>`). */
  source?: string;
  /** Convert floating tensors of the state dict (F16, BF16, F64) to F32 (default false: as stored). */
  float32?: boolean;
  /** Size limits (defaults: {@link DEFAULT_CHECKPOINT_LIMITS}). */
  limits?: Partial<CheckpointLimits>;
  /** Refuse a model of another task with a CheckpointError (`wrong-task`), e.g. `'detect'`. */
  task?: CheckpointTask;
}

/** A torch.save file unpickled into inert values (see python-objects.ts), before any ultralytics reading. */
export interface TorchFile {
  /** The file's name or path. */
  source: string;
  /** The unpickled object (an ultralytics checkpoint dict, a state dict, a model...). */
  root: unknown;
  /** The archive's folder name. */
  archiveName: string;
  /** Byte order the storages were written in (they are little-endian once read). */
  byteOrder: 'little' | 'big';
  /** The serialization format version record, if present. */
  formatVersion?: string;
}

/** What a checkpoint holds, read without running anything from it. */
export interface Checkpoint {
  /** The file's name or path. */
  source: string;
  /** `ultralytics`: a model object (in `model`, `ema` or at the top); `state-dict`: tensors only (a YAML must be given). */
  format: 'ultralytics' | 'state-dict';
  /** Where the model came from: the checkpoint's `model` (best.pt), its `ema` (last.pt), or the file's top object. */
  entry?: 'model' | 'ema' | 'root';
  /** The model's class (`ultralytics.nn.tasks.DetectionModel`). */
  modelClass?: string;
  /** The model's task (from its class, else its head). `unknown` for state dicts. */
  task: CheckpointTask;
  /** The head's class name (`Detect`, `Classify`...). */
  head?: string;
  /** The state dict in ultralytics keys (`model.0.conv.weight`) and PyTorch layout, as stored (or F32). */
  stateDict: Map<string, CheckpointTensor>;
  /** Elements of the model's distinct parameters (buffers excluded), as ultralytics counts them. */
  parameterCount?: number;
  /** The model's YAML config dict (`model.yaml`), as plain values. */
  yaml?: Record<string, PlainValue>;
  /** Class names by index (`model.names`). */
  names?: string[];
  /** The model's strides (`model.stride`). */
  stride?: number[];
  /** The training arguments (`train_args`), as plain values. */
  trainArgs?: Record<string, PlainValue>;
  /** The ultralytics version that wrote the checkpoint (`version`). */
  version?: string;
  /** When it was written (`date`, ISO 8601). */
  date?: string;
  /** The epoch (`epoch`; -1 once stripped). */
  epoch?: number;
  /** The activation each Conv-like module holds (its `act`), by module path (`model.9.cv1`). */
  activations: Map<string, ActivationInfo>;
  /** The ultralytics semantics the model was built with (undefined for a plain state dict). */
  semantics?: DetectedSemantics;
  /** The pickled model object, inert (for reading other attributes). */
  model?: PyObject;
  /** The whole unpickled file, inert. */
  root: unknown;
}

const limitsOf = (options: ReadCheckpointOptions): CheckpointLimits => ({ ...DEFAULT_CHECKPOINT_LIMITS, ...options.limits });

/**
 * Reads a torch.save zip file (torch >= 1.6) into inert values: the zip through fflate, data.pkl through
 * plugconv's own unpickler, which builds placeholders for every class and interprets only the allow-listed
 * reconstructors (tensors, storages, OrderedDict, set, torch.Size, getattr on a placeholder...). Storages are
 * matched to the zip's `data/<key>` entries, byte-swapped when written big-endian. Nothing is executed.
 */
export function readTorchFile(bytes: Uint8Array, options: ReadCheckpointOptions = {}): TorchFile {
  const source = options.source ?? '<checkpoint>';
  const limits = limitsOf(options);
  const archive = openTorchArchive(bytes, source, limits);
  const storages = new Map<string, TorchStorage>();
  const entry = `${archive.name ? `${archive.name}/` : ''}data.pkl`;
  const persistentLoad = (pid: unknown): TorchStorage => {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      throw new CheckpointError('bad-pickle', source, `${source}: ${entry} has a persistent id ${describePy(pid)} that is not a torch storage`);
    }
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    const dtype = type instanceof PyGlobal && (type.module === 'torch' || type.module === 'torch.storage') ? STORAGE_DTYPES[type.name] : undefined;
    if (!dtype) throw new CheckpointError('bad-tensor', source, `${source}: storage of type ${describePy(type)} is not supported (plugconv reads ${Object.keys(STORAGE_DTYPES).join(', ')})`);
    if (typeof key !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) {
      throw new CheckpointError('bad-pickle', source, `${source}: ${entry} has a malformed storage id (key ${describePy(key)}, size ${describePy(numel)})`);
    }
    const known = storages.get(key);
    if (known) return known;
    const data = archive.storages.get(key);
    if (!data) throw new CheckpointError('bad-tensor', source, `${source}: storage data/${key} is missing from the archive`);
    const width = TORCH_DTYPE_BYTES[dtype];
    if (data.length < (numel as number) * width) {
      throw new CheckpointError(
        'bad-tensor',
        source,
        `${source}: storage data/${key} (${type instanceof PyGlobal ? type.name : ''}, ${numel} elements = ${(numel as number) * width} bytes) has only ${data.length} bytes: the file is corrupt or was edited`,
      );
    }
    if (archive.byteOrder === 'big') swapBytes(data, width);
    const storage = new TorchStorage(key, dtype, numel as number, data);
    storages.set(key, storage);
    return storage;
  };
  const root = unpickle(archive.pickle, { source, entry, persistentLoad, maxMemo: limits.maxMemo, maxDepth: limits.maxDepth });
  return { source, root, archiveName: archive.name, byteOrder: archive.byteOrder, ...(archive.formatVersion ? { formatVersion: archive.formatVersion } : {}) };
}

/** Reverses each `width`-byte element in place (big-endian storages to little-endian). */
function swapBytes(data: Uint8Array, width: number): void {
  for (let i = 0; i + width <= data.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = data[a]!;
      data[a] = data[b]!;
      data[b] = t;
    }
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const plainDict = (v: unknown): Record<string, PlainValue> | undefined => {
  const p = v instanceof Map || (v instanceof PyObject && v.state instanceof Map) ? toPlain(v) : undefined;
  return p && typeof p === 'object' && !Array.isArray(p) ? p : undefined;
};

/** Class names from `names` as ultralytics keeps it (a dict {index: name} or a list). */
function namesOf(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (!(v instanceof Map)) return undefined;
  const out: string[] = [];
  for (const [k, name] of v) if (Number.isSafeInteger(k) && (k as number) >= 0 && (k as number) < v.size * 4 + 1024) out[k as number] = String(name);
  return Array.from(out, (n, i) => n ?? String(i));
}

function strideOf(v: unknown, source: string): number[] | undefined {
  if (v instanceof TorchTensor) return Array.from(tensorToFloat32(v.read('model.stride', source)));
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? [...(v as number[])] : undefined;
}

/** A top-level dict whose values are all tensors: torch.save(model.state_dict()). */
function isStateDict(v: unknown): v is Map<unknown, TorchTensor> {
  return v instanceof Map && v.size > 0 && [...v.values()].every((t) => t instanceof TorchTensor);
}

/** Throws the `wrong-task` CheckpointError when the checkpoint's model is not of `task` (state dicts pass). */
export function requireTask(checkpoint: Checkpoint, task: CheckpointTask): void {
  if (checkpoint.format !== 'ultralytics' || checkpoint.task === task) return;
  const what = [checkpoint.modelClass, checkpoint.head && `head ${checkpoint.head}`].filter(Boolean).join(', ');
  throw new CheckpointError(
    'wrong-task',
    checkpoint.source,
    `${checkpoint.source} is a ${TASK_WORDS[checkpoint.task]} checkpoint (${what}), not a ${TASK_WORDS[task]} one: ` +
      `plugconv builds ${TASK_WORDS[task]} models; give the best.pt of a ${task} training run`,
  );
}

/**
 * Reads an ultralytics checkpoint (best.pt, last.pt, or `torch.save(model)`) or a plain
 * `torch.save(state_dict)` file: the model (`model`, else `ema`), its state dict in ultralytics keys, YAML dict,
 * class names, strides, task, train args, version and date, the activation every Conv-like module holds and
 * the ultralytics semantics they show (see {@link readTorchFile} for how the file is read safely). Every problem
 * is a {@link CheckpointError} that says what the file is and what to do.
 */
export function readCheckpoint(bytes: Uint8Array, options: ReadCheckpointOptions = {}): Checkpoint {
  const file = readTorchFile(bytes, options);
  const { source, root } = file;
  const limits = limitsOf(options);
  const float32 = options.float32 ?? false;
  const top = root instanceof Map ? root : undefined;
  const meta = {
    ...(str(top?.get('version')) ? { version: str(top?.get('version')) } : {}),
    ...(str(top?.get('date')) ? { date: str(top?.get('date')) } : {}),
    ...(Number.isSafeInteger(top?.get('epoch')) ? { epoch: top?.get('epoch') as number } : {}),
    ...(plainDict(top?.get('train_args')) ? { trainArgs: plainDict(top?.get('train_args')) } : {}),
  };
  let entry: Checkpoint['entry'];
  let model: unknown = root;
  if (top && (top.has('model') || top.has('ema'))) {
    entry = top.get('model') !== null && top.get('model') !== undefined ? 'model' : top.get('ema') !== null && top.get('ema') !== undefined ? 'ema' : undefined;
    model = entry ? top.get(entry) : undefined;
  } else if (isModule(root)) entry = 'root';
  if (isStateDict(model)) {
    const reader = new StateDictReader(source, limits.maxTotalBytes, float32);
    for (const [k, t] of model) reader.add(String(k), t);
    return { source, format: 'state-dict', ...(entry ? { entry } : {}), task: 'unknown', stateDict: reader.stateDict, activations: new Map(), root, ...meta };
  }
  if (!isModule(model)) {
    const keys = top ? `its dict has keys [${[...top.keys()].map(String).join(', ')}]${entry === undefined && (top.has('model') || top.has('ema')) ? " and neither 'model' nor 'ema' is set" : ''}` : `it holds a ${describePy(root)}`;
    throw new CheckpointError(
      'no-model',
      source,
      `${source} is a torch.save file but holds no model: ${keys}; give the best.pt or last.pt that ultralytics wrote, ` +
        'or a torch.save(model.state_dict()) file together with its YAML',
    );
  }
  const walk = walkModel(model, { source, float32, maxDepth: limits.maxDepth, maxModules: limits.maxModules, maxBytes: limits.maxTotalBytes });
  const yaml = plainDict(model.attr('yaml'));
  const names = namesOf(model.attr('names')) ?? namesOf(top?.get('names'));
  const stride = strideOf(model.attr('stride'), source);
  const head = headOf(model)?.className;
  const checkpoint: Checkpoint = {
    source,
    format: 'ultralytics',
    entry: entry!,
    modelClass: model.cls.qualname,
    task: modelTask(model),
    ...(head ? { head } : {}),
    stateDict: walk.stateDict,
    parameterCount: walk.parameterCount,
    ...(yaml ? { yaml } : {}),
    ...(names ? { names } : {}),
    ...(stride ? { stride } : {}),
    ...meta,
    activations: walk.activations,
    semantics: detectSemantics(walk, meta.version),
    model,
    root,
  };
  if (options.task) requireTask(checkpoint, options.task);
  return checkpoint;
}
