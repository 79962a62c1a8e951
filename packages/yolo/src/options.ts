import { ultralyticsVersion, type UltralyticsVersion } from '@plugconv/core';
import { UsageError } from './usage-error.js';

/**
 * Parses a numeric command-line option, naming it when the value does not fit: `--conf must be a number in
 * [0, 1], got '2'`, `--runs must be an integer >= 1, got '0'`.
 */
export function numberOption(name: string, v: string, range: { min: number; max?: number; integer?: boolean }): number {
  const { min, max = Infinity, integer = false } = range;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const bounds = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} ${bounds}, got '${v}'`);
  }
  return n;
}

/** {@link numberOption} for an integer option. */
export function intOption(name: string, v: string, min: number, max?: number): number {
  return numberOption(name, v, { min, max, integer: true });
}

/** The square input size of every command (`--imgsz`): an integer from 32 (one stride-32 cell) to 8192 pixels. */
export function imgszOption(v: string): number {
  return intOption('imgsz', v, 32, 8192);
}

/** Refuses an input size the model cannot take as it is: `--imgsz must be a multiple of <what>, got <imgsz>`. */
export function requireImgszMultiple(imgsz: number, stride: number, what = String(stride)): number {
  if (imgsz % stride) throw new UsageError(`--imgsz must be a multiple of ${what}, got ${imgsz}`);
  return imgsz;
}

/** The help text of every command's `--ultralytics` option. */
export const ULTRALYTICS_HELP = "build with this ultralytics release's semantics: 8.4 (default) or 8.2 (a YAML's top-level 'ultralytics:' key otherwise)";

/** `--ultralytics 8.2|8.4|8.x.y`: whose semantics a build follows (undefined: the YAML's key, else 8.4). */
export function ultralyticsOption(v: string | undefined): UltralyticsVersion | undefined {
  if (v === undefined) return undefined;
  try {
    return ultralyticsVersion(v, '--ultralytics');
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^.*?: /, '--ultralytics: '));
  }
}
