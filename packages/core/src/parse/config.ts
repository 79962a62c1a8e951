import { parse as parseYaml } from 'yaml';

/** One YAML row: [from, repeats, module, args]. */
export type Row = [number | number[], number, string, unknown[]];

/** A YOLO model description as ultralytics' YAML holds it (YOLOv8 to YOLO26). */
export interface YoloConfig {
  /** Number of classes. */
  nc: number;
  /** Scale letter to [depth_multiple, width_multiple, max_channels]. */
  scales?: Record<string, [number, number, number]>;
  /** Repeat multiplier, for configs without `scales`. */
  depth_multiple?: number;
  /** Channel multiplier, for configs without `scales`. */
  width_multiple?: number;
  /** Channel cap before the width multiplier, for configs without `scales`. */
  max_channels?: number;
  /** Replaces every Conv's default activation (`nn.ReLU()`, ...), as ultralytics' `activation:` key. */
  activation?: string;
  /** DFL bins of every detection head (ultralytics 8.4's top-level `reg_max`; default 16, 1 = no DFL). */
  reg_max?: number;
  /** Every detection head gets one-to-one branches and end-to-end top-k output (8.4's top-level `end2end`). */
  end2end?: boolean;
  /**
   * The ultralytics semantics to build with (`8.2` or `8.4`, or a full release such as `8.2.82`); plugconv's
   * own key, ignored by ultralytics. A caller's `BuildOptions.ultralytics` overrides it; default 8.4.
   */
  ultralytics?: string | number;
  /** Backbone rows `[from, repeats, module, args]`. */
  backbone: Row[];
  /** Head rows, numbered after the backbone's; the last is the Detect head. */
  head: Row[];
  /** The file's name as given (`yolov8n-C2f-DSConv.yaml`), when loaded from a file or named text. */
  yamlFile?: string;
  /** The scale named by the file (`yolov8n.yaml` -> `n`), when its name carries one (see {@link scaleFromName}). */
  scale?: string;
}

/** ultralytics' model-name pattern: `yolo`, an optional `v`, the version digits, then the scale letter. */
const SCALED_NAME = /(yolo(?:e-)?v?\d+)([nslmx])/;
/** Where a scale letter goes: after `yolo` and the version digits, else after the first digits before `-`/`_`/the end. */
const VERSION_END = /^(.*?yolo(?:e-)?v?\d+|.*?\d+(?=$|[-_.]))/;

/**
 * The scale letter a config's file name carries, as ultralytics reads it (`guess_model_scale`): `yolov8s.yaml`,
 * `/any/folder/yolov8s.yaml`, `my-yolov8n-DSConv.yaml` and `yolo11m.yaml` name s, s, n and m; `yolov8.yaml`,
 * `yolov8-p2.yaml` and `model.yaml` name none. Only ultralytics' scales n, s, m, l and x are read from names.
 */
export function scaleFromName(name: string): string | undefined {
  const stem = basename(name).replace(/\.ya?ml$/i, '');
  return SCALED_NAME.exec(stem)?.[2];
}

/** A config file name without its scale letter (`yolov8n-C2f-DSConv.yaml` -> `yolov8-C2f-DSConv.yaml`). */
export function unscaledName(name: string): string {
  const base = basename(name);
  return name.slice(0, name.length - base.length) + base.replace(SCALED_NAME, '$1');
}

/**
 * A config file name with `scale`'s letter put where ultralytics reads it (after `yolo` and the version digits):
 * `yolov8-C2f-DSConv.yaml` at n -> `yolov8n-C2f-DSConv.yaml`. A name with no version digits comes back as it is.
 */
export function scaledName(name: string, scale: string): string {
  const base = basename(name);
  const at = VERSION_END.exec(base);
  return at ? name.slice(0, name.length - base.length) + `${at[1]}${scale}${base.slice(at[1]!.length)}` : name;
}

/**
 * The model name ultralytics prints for a config built at `scale`, always naming the scale built:
 * `yolov8s.yaml` at s -> `YOLOv8s`, at m -> `YOLOv8m`; `yolov8-C2f-DSConv.yaml` at n -> `YOLOv8n-C2f-DSConv`.
 * A name with no version digits gets the scale in parentheses (`my-model (n)`).
 */
export function scaledModelName(name: string, scale?: string): string {
  let stem = basename(unscaledName(name)).replace(/\.ya?ml$/i, '');
  if (scale) stem = VERSION_END.test(stem) ? scaledName(stem, scale) : `${stem} (${scale})`;
  return stem.replace('yolo', 'YOLO');
}

/** The last path segment (either separator): config names may come from Node paths or browser file names. */
function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** A YAML problem, naming the file (and row, where there is one). */
export class ConfigError extends Error {
  /** Error name shown in messages. */
  override name = 'ConfigError';
}

/**
 * Parses YAML text into a checked {@link YoloConfig}; `source` names it in errors. When `source` is a file name
 * (`yolov8n.yaml`), it is the config's name too: its scale letter picks the scale (see {@link scaleFromName}) and
 * the summary line is named after it.
 */
export function parseYoloConfig(text: string, source = '<yaml>'): YoloConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new ConfigError(`${source}: expected a mapping with backbone and head`);
  const cfg = doc as Record<string, unknown>;
  for (const part of ['backbone', 'head'] as const) {
    const rows = cfg[part];
    if (!Array.isArray(rows)) throw new ConfigError(`${source}: '${part}' must be a list of [from, repeats, module, args] rows`);
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== 4) {
        throw new ConfigError(`${source}: ${part} row ${i}: expected [from, repeats, module, args], got ${JSON.stringify(r)}`);
      }
    });
  }
  if (cfg.nc !== undefined && !Number.isInteger(cfg.nc)) throw new ConfigError(`${source}: nc must be an integer, got ${JSON.stringify(cfg.nc)}`);
  // the scale the file name carries, else the YAML's own top-level `scale:` (ultralytics writes one into the model
  // dict a checkpoint holds)
  const ownScale = typeof cfg.scale === 'string' ? cfg.scale : undefined;
  const named = /\.ya?ml$/i.test(source) ? { yamlFile: basename(source), scale: scaleFromName(source) ?? ownScale } : {};
  return { nc: 80, ...(cfg as object), ...named } as YoloConfig;
}

