import { CheckpointError } from './errors.js';
import { PyObject } from './python-objects.js';
import { StateDictReader, TorchTensor, type CheckpointTensor } from './tensor.js';

/** The task of an ultralytics model, from its class (or its head's); `unknown` for anything else. */
export type CheckpointTask = 'detect' | 'segment' | 'classify' | 'pose' | 'obb' | 'unknown';

/** The activation module a Conv-like module holds (its `act`), as pickled. */
export interface ActivationInfo {
  /** The class name (`SiLU`, `Identity`, `ReLU`, `LeakyReLU`...). */
  name: string;
  /** The class's module path (`torch.nn.modules.activation`). */
  module: string;
  /** Its plain attributes (`negative_slope`, `inplace`...), underscored and `training` left out. */
  attrs: Record<string, number | boolean | string>;
}

/** The ultralytics semantics a checkpoint was built with, and how that was told. */
export interface DetectedSemantics {
  /** '8.2' (SPPF's cv1 with an activation) or '8.4' (without). */
  version: '8.2' | '8.4';
  /** Why, in words (the SPPF and activation that decided, or the version string). */
  reason: string;
}

/** What {@link walkModel} gathers from a pickled nn.Module tree. */
export interface ModelWalk {
  /** The state dict in PyTorch's keys and order (each module's parameters, persistent buffers, then children). */
  stateDict: Map<string, CheckpointTensor>;
  /** Elements of the distinct parameters (buffers excluded), as `sum(p.numel() for p in model.parameters())`. */
  parameterCount: number;
  /** The `act` each module holds, by module path (`model.9.cv1`). */
  activations: Map<string, ActivationInfo>;
  /** Every module by path ('' for the root), depth first. */
  modules: [string, PyObject][];
}

const TASK_BY_MODEL: Record<string, CheckpointTask> = {
  DetectionModel: 'detect',
  SegmentationModel: 'segment',
  ClassificationModel: 'classify',
  PoseModel: 'pose',
  OBBModel: 'obb',
};
const TASK_BY_HEAD: Record<string, CheckpointTask> = {
  Detect: 'detect',
  v10Detect: 'detect',
  Segment: 'segment',
  Segment26: 'segment',
  Classify: 'classify',
  Pose: 'pose',
  Pose26: 'pose',
  OBB: 'obb',
  OBB26: 'obb',
};

/** Words for tasks in messages. */
export const TASK_WORDS: Readonly<Record<CheckpointTask, string>> = {
  detect: 'detection',
  segment: 'segmentation',
  classify: 'classification',
  pose: 'pose',
  obb: 'oriented-box (OBB)',
  unknown: 'unknown-task',
};

/** Whether a value is a pickled nn.Module (an object whose state has `_modules`). */
export function isModule(v: unknown): v is PyObject {
  return v instanceof PyObject && v.attr('_modules') instanceof Map;
}

const dict = (m: PyObject, name: string): Map<unknown, unknown> => {
  const v = m.attr(name);
  return v instanceof Map ? v : new Map();
};

/** The children of a module, in order. */
export function children(m: PyObject): [string, PyObject][] {
  return [...dict(m, '_modules')].filter((e): e is [string, PyObject] => typeof e[0] === 'string' && isModule(e[1]));
}

/** The last module of the model's layer list (`model.model[-1]`, the head), if any. */
export function headOf(model: PyObject): PyObject | undefined {
  const layers = dict(model, '_modules').get('model');
  return isModule(layers) ? children(layers).at(-1)?.[1] : undefined;
}

/** The model's task, from its class name, else from its head's. */
export function modelTask(model: PyObject): CheckpointTask {
  return TASK_BY_MODEL[model.className] ?? TASK_BY_HEAD[headOf(model)?.className ?? ''] ?? 'unknown';
}

/**
 * Walks a pickled nn.Module tree through `_modules`, `_parameters` and `_buffers` as PyTorch's `state_dict()`
 * does: keys in ultralytics' form (`model.0.conv.weight`), None entries and non-persistent buffers skipped,
 * `num_batches_tracked` kept (PyTorch's state dicts have it; plugconv's loader ignores it). Floating tensors are
 * converted to F32 when `float32`. Each tensor is checked against its storage, naming it. Modules shared by
 * several parents appear under each path, as in PyTorch; `maxModules` bounds the paths walked.
 */
export function walkModel(
  root: PyObject,
  options: { source: string; float32?: boolean; maxDepth: number; maxModules: number; maxBytes: number },
): ModelWalk {
  const { source, maxDepth, maxModules } = options;
  const reader = new StateDictReader(source, options.maxBytes, options.float32);
  const out: ModelWalk = { stateDict: reader.stateDict, parameterCount: 0, activations: new Map(), modules: [] };
  const counted = new Set<TorchTensor>();
  const ancestors = new Set<PyObject>();
  const visit = (m: PyObject, path: string, depth: number) => {
    if (depth > maxDepth) throw new CheckpointError('too-large', source, `${source}: modules nested deeper than ${maxDepth} at '${path}'`);
    if (out.modules.length >= maxModules) throw new CheckpointError('too-large', source, `${source}: the model has over ${maxModules} module paths, over the limit`);
    if (ancestors.has(m)) throw new CheckpointError('bad-pickle', source, `${source}: module '${path}' contains itself`);
    ancestors.add(m);
    out.modules.push([path, m]);
    const prefix = path ? `${path}.` : '';
    for (const [k, t] of dict(m, '_parameters')) {
      if (t === null) continue;
      reader.add(prefix + String(k), t, 'parameter');
      if (t instanceof TorchTensor && !counted.has(t)) {
        counted.add(t);
        out.parameterCount += t.numel;
      }
    }
    const nonPersistent = m.attr('_non_persistent_buffers_set');
    for (const [k, t] of dict(m, '_buffers')) {
      if (t !== null && !(nonPersistent instanceof Set && nonPersistent.has(k))) reader.add(prefix + String(k), t, 'buffer');
    }
    const act = dict(m, '_modules').get('act');
    if (act instanceof PyObject) out.activations.set(path, activationInfo(act));
    for (const [k, child] of children(m)) visit(child, prefix + k, depth + 1);
    ancestors.delete(m);
  };
  visit(root, '', 0);
  return out;
}

function activationInfo(act: PyObject): ActivationInfo {
  const attrs: Record<string, number | boolean | string> = {};
  for (const k of act.attrNames()) {
    const v = act.attr(k);
    if (!k.startsWith('_') && k !== 'training' && (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')) attrs[k] = v;
  }
  return { name: act.className, module: act.cls.module, attrs };
}

/** `major.minor` of a version string, or undefined. */
function minorVersion(version: string | undefined): number | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) * 1000 + Number(m[2]) : undefined;
}

/**
 * Which ultralytics semantics the model was built with: ultralytics 8.4 builds SPPF's cv1 without activation
 * (Identity), earlier versions with the default one (SiLU, or the YAML's `activation:`). Told by the first
 * SPPF's cv1; a model without SPPF falls back on the checkpoint's version string, then on 8.4.
 */
export function detectSemantics(walk: Pick<ModelWalk, 'modules' | 'activations'>, version?: string): DetectedSemantics {
  for (const [path, m] of walk.modules) {
    if (m.className !== 'SPPF') continue;
    const act = walk.activations.get(`${path}.cv1`);
    if (!act) continue;
    return act.name === 'Identity'
      ? { version: '8.4', reason: `SPPF at ${path} has cv1.act Identity (ultralytics 8.4 builds SPPF's cv1 without activation)` }
      : { version: '8.2', reason: `SPPF at ${path} has cv1.act ${act.name} (ultralytics before 8.4 builds SPPF's cv1 with the default activation)` };
  }
  const v = minorVersion(version);
  if (v !== undefined) {
    return v < 8004
      ? { version: '8.2', reason: `no SPPF to tell by; the checkpoint was written by ultralytics ${version} (before 8.4)` }
      : { version: '8.4', reason: `no SPPF to tell by; the checkpoint was written by ultralytics ${version}` };
  }
  return { version: '8.4', reason: 'no SPPF and no version in the checkpoint: 8.4 (the default) assumed' };
}
