import type { YoloConfig } from './config.js';

/**
 * What the `detect` channel rule appends to a head row's arguments before the input widths, as ultralytics 8.4's
 * parse_model: the YAML's top-level `reg_max` (default 16) and `end2end` (default false), unchecked (the head's
 * signature checks them and the error names the row).
 */
export function detectRuleArgs(cfg: YoloConfig): [regMax: unknown, end2end: unknown] {
  return [cfg.reg_max ?? 16, cfg.end2end ?? false];
}
