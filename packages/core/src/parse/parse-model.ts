import { Module, Sequential } from '../nn/module.js';
import { ACTIVATIONS } from '../nn/activations.js';
import { defaultActivation } from '../blocks/conv.js';
import { DetectionModel, type LayerInfo } from '../model/detection-model.js';
import { fromEntries, isValidFrom, resolveFrom } from '../model/from-index.js';
import type { Registry } from '../registry/registry.js';
import type { BuildContext, UltralyticsVersion } from '../registry/spec.js';
import { checkArgs, specArgs } from '../registry/signature.js';
import { ConfigError, scaledModelName, type Row, type YoloConfig } from './config.js';
import { pyLiteral, pyRound } from './python.js';
import { makeDivisibleUltralytics } from '../math.js';
import { resolveUltralytics, ULTRALYTICS_SEMANTICS } from './semantics.js';
import { detectRuleArgs } from './head-args.js';

/** Options of {@link buildModel}. */
export interface BuildOptions {
  /** The YAML tokens the config may use (`new Registry(coreModules, ...)`, or @plugconv/yolo's `registry`). */
  registry: Registry;
  /** Scale key (`n`, `s`, ...); default: the one the config's file name carries, else the first listed, with a warning. */
  scale?: string;
  /** Overrides the YAML's nc. */
  nc?: number;
  /** Input channels (default 3). */
  inputChannels?: number;
  /** Size of the stride dry run (a multiple of the largest stride; ultralytics uses 256). Default 128. */
  strideProbe?: number;
  /** Receives warnings (default: console.warn); pass `() => {}` to silence them. */
  warn?: (message: string) => void;
  /**
   * The ultralytics semantics to build with (SPPF's cv1 activation, the `c2 != nc` width exception): '8.4'
   * (default) or '8.2' (YOLOv8 weights trained before 8.4). Overrides the YAML's top-level `ultralytics:` key.
   */
  ultralytics?: UltralyticsVersion;
}

/**
 * depth, width and max_channels for a config at a scale, chosen as ultralytics chooses it: the caller's `scale`
 * wins, then the scale the config's file name carries (`yolov8s.yaml`), then the first one listed, with
 * ultralytics' warning. A scale the config does not list fails, naming the file and the scales it has.
 */
export function resolveScale(
  cfg: YoloConfig,
  scale: string | undefined,
  warn: (m: string) => void,
): {
  /** The scale key used, when the config has `scales`. */
  scale?: string;
  /** Repeat multiplier. */
  depth: number;
  /** Channel multiplier. */
  width: number;
  /** Channel cap applied before the width multiplier. */
  maxChannels: number;
} {
  const scales = cfg.scales;
  if (!scales || !Object.keys(scales).length) {
    return { scale, depth: cfg.depth_multiple ?? 1, width: cfg.width_multiple ?? 1, maxChannels: cfg.max_channels ?? Infinity };
  }
  let key = scale ?? cfg.scale;
  if (!key) {
    key = Object.keys(scales)[0]!;
    warn(`no model scale passed. Assuming scale='${key}'.`);
  }
  const s = scales[key];
  if (!s) {
    const from = scale === undefined ? ` (from the file name ${cfg.yamlFile})` : '';
    throw new ConfigError(`${cfg.yamlFile ?? 'config'}: scale '${key}'${from} is not one of ${Object.keys(scales).join(', ')}`);
  }
  const [depth, width, maxChannels] = s;
  return { scale: key, depth, width, maxChannels };
}

function rowLabel(i: number, row: Row): string {
  return `row ${i} ${JSON.stringify(row)}`;
}

/**
 * Model name as ultralytics prints it, naming the scale built: `yolov8-C2f-DSConv.yaml` at n ->
 * `YOLOv8n-C2f-DSConv`, `yolov8s.yaml` at m (an explicit scale) -> `YOLOv8m`.
 */
export function modelName(cfg: YoloConfig, scale?: string): string {
  return scaledModelName(cfg.yamlFile ?? 'model.yaml', scale);
}

/**
 * Builds a model from a YAML config with ultralytics' parse_model semantics. Each row's channel rule comes
 * from its module's spec in the registry; errors name the row. Detect strides come from a dry run.
 */
export function buildModel(cfg: YoloConfig, options: BuildOptions): DetectionModel {
  const warn = options.warn ?? ((m: string) => console.warn(`WARNING ${m}`));
  const { scale, depth, width, maxChannels } = resolveScale(cfg, options.scale, warn);
  const nc = options.nc ?? cfg.nc;
  const inputChannels = options.inputChannels ?? 3;
  const ultralytics = resolveUltralytics(cfg.ultralytics, options.ultralytics, cfg.yamlFile);
  const semantics = ULTRALYTICS_SEMANTICS[ultralytics];
  let legacyHead = true;
  const previousAct = defaultActivation.module;
  if (cfg.activation) {
    const make = ACTIVATIONS[cfg.activation];
    if (!make) throw new ConfigError(`activation '${cfg.activation}' is not one of ${Object.keys(ACTIVATIONS).join(', ')}`);
    defaultActivation.module = make();
  }
  const layers: Module<any, any>[] = [];
  const info: LayerInfo[] = [];
  try {
    // output channels per row
    const ch: number[] = [];
    const rows = [...cfg.backbone, ...cfg.head];
    rows.forEach((row, i) => {
      const [from, repeats, name, rawArgs] = row;
      const where = rowLabel(i, row);
      const froms = fromEntries(from);
      for (const f of froms) {
        if (!isValidFrom(f, i)) throw new ConfigError(`${where}: bad 'from' index ${JSON.stringify(f)} (must be -1 or an earlier row, 0..${i - 1})`);
      }
      const spec = typeof name === 'string' ? options.registry.get(name) : undefined;
      if (!spec) {
        const near = options.registry.nearest(String(name));
        throw new ConfigError(`${where}: unknown module '${name}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
      }
      if (!Number.isInteger(repeats) || repeats < 1) throw new ConfigError(`${where}: repeats must be a positive integer, got ${JSON.stringify(repeats)}`);
      if (!Array.isArray(rawArgs)) throw new ConfigError(`${where}: args must be a list, got ${JSON.stringify(rawArgs)}`);
      const scope = { nc };
      let args = rawArgs.map((a) => (typeof a === 'string' ? pyLiteral(a, scope) : a));
      let n = repeats > 1 ? Math.max(pyRound(repeats * depth), 1) : repeats;
      const chOf = (f: number) => {
        const j = resolveFrom(f, i);
        return j < 0 ? inputChannels : ch[j]!;
      };
      const single = () => {
        if (Array.isArray(from)) throw new ConfigError(`${where}: ${spec.name} takes one input, got from=${JSON.stringify(from)}`);
        return chOf(from);
      };
      let c2: number;
      switch (spec.rule) {
        case 'conv':
        case 'repeat': {
          const c1 = single();
          c2 = args[0] as number;
          if (!Number.isInteger(c2)) throw new ConfigError(`${where}: ${spec.name} needs output channels as its first argument, got ${JSON.stringify(args[0])}`);
          if (!(semantics.ncKeepsWidth && c2 === nc)) c2 = makeDivisibleUltralytics(Math.min(c2, maxChannels) * width, 8);
          args = [c1, c2, ...args.slice(1)];
          if (spec.rule === 'repeat') {
            args.splice(2, 0, n);
            n = 1;
          }
          break;
        }
        case 'fixed': {
          const c1 = single();
          c2 = args[0] as number;
          if (!Number.isInteger(c2)) throw new ConfigError(`${where}: ${spec.name} needs output channels as its first argument, got ${JSON.stringify(args[0])}`);
          args = [c1, ...args];
          break;
        }
        case 'concat':
          c2 = froms.reduce((s, f) => s + chOf(f), 0);
          break;
        case 'same':
          c2 = single();
          break;
        case 'detect':
          args = [...args, ...detectRuleArgs(cfg), froms.map(chOf)];
          c2 = 0;
          break;
      }
      const ctx: BuildContext = { scale, ultralytics, legacyHead };
      args = specArgs(spec, args, ctx);
      if (spec.modernHead) legacyHead = false;
      const problem = checkArgs(spec, args);
      if (problem) throw new ConfigError(`${where}: ${problem}`);
      let m: Module<any, any>;
      try {
        m = n > 1 ? new Sequential(...Array.from({ length: n }, () => spec.create(...args))) : spec.create(...args);
      } catch (e) {
        throw new ConfigError(`${where}: ${spec.name}(${args.map((a) => JSON.stringify(a)).join(', ')}) failed: ${(e as Error).message}`);
      }
      layers.push(m);
      info.push({ index: i, from, repeats: n, type: spec.name, params: m.numParams(), args });
      ch.push(c2);
    });
  } finally {
    defaultActivation.module = previousAct;
  }
  const model = new DetectionModel(layers, info, modelName(cfg, scale), inputChannels);
  model.ultralytics = ultralytics;
  const head = model.head;
  if (head) {
    const probe = options.strideProbe ?? 128;
    const wasTraining = model.training;
    model.eval();
    const shapes = model.headInputShapes(probe);
    model.train(wasTraining);
    head.stride = shapes.map((s) => probe / s[1]!);
    model.stride = head.stride;
    head.biasInit(semantics.boxBiasInit);
  }
  return model;
}

