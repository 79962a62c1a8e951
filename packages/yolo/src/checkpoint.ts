// An ultralytics checkpoint (best.pt, last.pt, or torch.save(state_dict) with its YAML) turned into a plugconv
// model: core reads the file without running anything from it; here the model is built from the checkpoint's own
// YAML dict with every registered module, with the ultralytics semantics its activations show, and the fp16
// weights are loaded as float32. Browser-safe: bytes in, no file system.
import {
  buildModel,
  withoutRandomInit,
  ConfigError,
  parseYoloConfig,
  readCheckpoint,
  stateDictToTf,
  type Checkpoint,
  type CheckpointLimits,
  type CheckpointTask,
  type DetectionModel,
  type UltralyticsVersion,
  type YoloConfig,
} from '@plugconv/core';
import { registry } from './registry.generated.js';
import { classNames } from './predict/coco.js';
import { namesFromValue } from './predict/class-names.js';
import { loadStateInto } from './predict/weights.js';

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** The file's name or path, for messages (default `<checkpoint>`). */
  source?: string;
  /**
   * The model's YAML config (text, or a parsed config): required for a plain `torch.save(state_dict)` file; for
   * an ultralytics checkpoint it replaces the YAML dict the checkpoint holds.
   */
  yaml?: string | YoloConfig;
  /** Scale of a YAML given in `yaml` (an ultralytics checkpoint's dict names its own). */
  scale?: string;
  /**
   * The ultralytics semantics to build with (default: what the checkpoint's activations show, see core's
   * `detectSemantics`; for a plain state dict the YAML's `ultralytics:` key, else 8.4).
   */
  ultralytics?: UltralyticsVersion;
  /** Class names, replacing the checkpoint's (a plain state dict has none). */
  names?: string[];
  /** Size limits of the reader (core's `DEFAULT_CHECKPOINT_LIMITS` by default). */
  limits?: Partial<CheckpointLimits>;
  /** Receives warnings (default: console.warn). */
  warn?: (message: string) => void;
}

/** A checkpoint built into a model, with what ultralytics keeps beside it. */
export interface LoadedCheckpoint {
  /** The model, in eval mode, with the checkpoint's weights (float32). The caller disposes it. */
  model: DetectionModel;
  /** Class names by index, one per class (the checkpoint's, else COCO's for 80 classes, else `class<i>`). */
  names: string[];
  /** The YAML dict the model was built from (the checkpoint's `model.yaml`, or the YAML given). */
  yaml: Record<string, unknown>;
  /** The model's strides. */
  stride: number[];
  /** The ultralytics version that wrote the checkpoint, when it says. */
  version?: string;
  /** When it was written (ISO 8601), when it says. */
  date?: string;
  /** The model's task (`detect`; `unknown` for a plain state dict). */
  task: CheckpointTask;
  /** The semantics the model was built with and why. */
  semantics: {
    /** The ultralytics release whose semantics built the model. */
    version: UltralyticsVersion;
    /** Why that release: the caller's choice, the checkpoint's own version, the YAML's key or the default. */
    reason: string;
  };
  /** The image size it was trained at (`train_args.imgsz`), ultralytics' default for predict with it. */
  imgsz?: number;
  /** Parameters the checkpoint's model has (ultralytics' count; absent for a plain state dict). */
  parameterCount?: number;
  /** What core's reader returned (state dict as stored, train args, activations...). */
  checkpoint: Checkpoint;
}

/** The config a checkpoint's model is built from, and its source's name for messages. */
function configOf(ck: Checkpoint, options: LoadCheckpointOptions): { config: YoloConfig; from: string } {
  const source = ck.source;
  if (options.yaml !== undefined) {
    const config = typeof options.yaml === 'string' ? parseYoloConfig(options.yaml, `${source}: the YAML given`) : options.yaml;
    return { config, from: config.yamlFile ?? 'the YAML given' };
  }
  if (ck.format === 'state-dict') {
    throw new ConfigError(
      `${source} is a torch.save(state_dict) file (${ck.stateDict.size} tensors, no model object, config or class names): ` +
        'give the YAML config it was trained from, with this file as its weights (`plugconv predict CFG --weights FILE`, ' +
        '`plugconv check REF --cfg CFG --weights FILE`; in code the `yaml` option), or give the best.pt that ultralytics wrote',
    );
  }
  if (!ck.yaml) {
    throw new ConfigError(`${source} holds a ${ck.modelClass ?? 'model'} without its YAML dict (model.yaml): give the YAML config it was built from, with this file as its weights (--cfg CFG --weights FILE)`);
  }
  const dict = ck.yaml;
  const stem = source.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '');
  const named = typeof dict.yaml_file === 'string' ? dict.yaml_file.split(/[\\/]/).pop()! : `${stem}.yaml`;
  const config = parseYoloConfig(JSON.stringify(dict), `${source} (its model YAML)`);
  return { config: { ...config, yamlFile: named }, from: 'its model YAML' };
}

/** The semantics to build with: the caller's, else the checkpoint's, else the YAML's key or the default. */
function semanticsOf(ck: Checkpoint, config: YoloConfig, options: LoadCheckpointOptions): { version?: UltralyticsVersion; reason: string } {
  if (options.ultralytics) return { version: options.ultralytics, reason: 'chosen by the caller' };
  if (ck.semantics) return ck.semantics;
  if (config.ultralytics !== undefined) return { reason: "the YAML's top-level 'ultralytics' key" };
  return { reason: 'a plain state dict does not say: 8.4 (the default) assumed' };
}

/** Builds the model a YAML describes, turning an unknown module into a message about the checkpoint. */
function buildFromConfig(ck: Checkpoint, config: YoloConfig, from: string, options: LoadCheckpointOptions, version?: UltralyticsVersion): DetectionModel {
  const dict = config as unknown as Record<string, unknown>;
  const channels = [dict.channels, dict.ch].find((c) => Number.isInteger(c)) as number | undefined;
  try {
    return buildModel(config, {
      registry,
      ...(options.scale ? { scale: options.scale } : {}),
      ...(version ? { ultralytics: version } : {}),
      ...(channels ? { inputChannels: channels } : {}),
      warn: options.warn ?? ((m) => console.warn(`WARNING ${m}`)),
    });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const hint = /unknown module '/.test(e.message)
      ? `; the model was trained with a module plugconv does not have (\`plugconv modules\` lists the registered ones): port it as a module package (pnpm gen module) and register it, or train with a registered one`
      : '';
    throw new ConfigError(`${ck.source}: ${from} does not build: ${e.message.replace(/^.*?\(its model YAML\): /, '')}${hint}`);
  }
}

/** Class names for `nc` classes: the given ones, the checkpoint's, else {@link classNames}'s defaults. */
function namesFor(nc: number, ck: Checkpoint, config: YoloConfig, options: LoadCheckpointOptions): string[] {
  const names = options.names ?? ck.names ?? namesFromValue((config as unknown as { names?: unknown }).names);
  if (!names) return classNames(nc);
  if (names.length !== nc) (options.warn ?? console.warn)(`${ck.source}: ${names.length} class names for ${nc} classes; the missing ones are named class<i>`);
  return Array.from({ length: nc }, (_, i) => names[i] ?? `class${i}`);
}

/**
 * Builds the model of a checkpoint core's `readCheckpoint` read (see {@link loadCheckpoint}); a model of another
 * task than detection is refused, naming the task.
 */
export function checkpointModel(ck: Checkpoint, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  const { config, from } = configOf(ck, options);
  const semantics = semanticsOf(ck, config, options);
  // every weight comes from the checkpoint (a missing key is an error): no random draw first
  const model = withoutRandomInit(() => buildFromConfig(ck, config, from, options, semantics.version));
  try {
    const weights = stateDictToTf(ck.stateDict);
    try {
      loadStateInto(model, weights, ck.source);
    } finally {
      for (const t of weights.values()) t.dispose();
    }
    model.eval();
    const nc = model.head?.nc ?? config.nc;
    const imgsz = ck.trainArgs?.imgsz;
    const params = model.numParams();
    if (ck.parameterCount !== undefined && ck.parameterCount !== params) {
      (options.warn ?? console.warn)(`${ck.source}: the checkpoint's model has ${ck.parameterCount} parameters, the model built from ${from} ${params}`);
    }
    return {
      model,
      names: namesFor(nc, ck, config, options),
      yaml: (options.yaml === undefined ? ck.yaml : config) as Record<string, unknown>,
      stride: ck.stride ?? model.stride,
      ...(ck.version ? { version: ck.version } : {}),
      ...(ck.date ? { date: ck.date } : {}),
      task: ck.task,
      semantics: { version: model.ultralytics, reason: semantics.reason },
      ...(Number.isInteger(imgsz) && (imgsz as number) > 0 ? { imgsz: imgsz as number } : {}),
      ...(ck.parameterCount !== undefined ? { parameterCount: ck.parameterCount } : {}),
      checkpoint: ck,
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Loads an ultralytics checkpoint from its bytes: best.pt (`model`), last.pt (`ema`), `torch.save(model)`, or a
 * plain `torch.save(state_dict)` with `options.yaml`. Nothing in the file is executed (core's reader builds
 * inert placeholders and refuses any callable outside its allow-list, naming it). The model is built from the
 * checkpoint's YAML dict with every registered module and the ultralytics semantics its activations show, and
 * gets its weights (fp16 as stored, loaded as float32). Checkpoints of other tasks (classification,
 * segmentation, pose, obb) are refused, naming the task. Every problem throws an error that names the file and
 * says what to do: core's `CheckpointError` (the file), `ConfigError` (its YAML), `WeightsError` (its tensors).
 */
export function loadCheckpoint(bytes: Uint8Array, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  const ck = readCheckpoint(bytes, { source: options.source ?? '<checkpoint>', task: 'detect', ...(options.limits ? { limits: options.limits } : {}) });
  return checkpointModel(ck, options);
}
