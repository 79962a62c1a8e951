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
  /** The file's name without its scale letter (`yolov8-C2f-DSConv.yaml`), when loaded from a file. */
  yamlFile?: string;
  /** The scale named by the file (`yolov8n.yaml` -> `n`), when there was one. */
  scale?: string;
}

/** A YAML problem, naming the file (and row, where there is one). */
export class ConfigError extends Error {
  /** Error name shown in messages. */
  override name = 'ConfigError';
}

/** Parses YAML text into a checked {@link YoloConfig}; `source` names it in errors. */
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
  return { nc: 80, ...(cfg as object) } as YoloConfig;
}

