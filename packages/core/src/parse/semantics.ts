import type { UltralyticsVersion } from '../registry/spec.js';
import { ConfigError } from './config.js';

/** The semantics a build follows when neither the caller nor the YAML names one. */
export const DEFAULT_ULTRALYTICS: UltralyticsVersion = '8.4';

/** What differs between the ultralytics releases plugconv reproduces. */
export interface UltralyticsSemantics {
  /** SPPF's cv1 has the default activation (8.2) or none (8.4). */
  sppfCv1Act: boolean;
  /** A base-rule c2 equal to nc is left unscaled (8.2's `c2 != nc` exception); 8.4 scales every c2. */
  ncKeepsWidth: boolean;
  /** The box-branch bias that Detect's bias_init sets (1.0 in 8.2, 2.0 in 8.4). */
  boxBiasInit: number;
  /** model_info's layer count: every module of the tree (8.2) or only the leaf modules (8.4). */
  leafLayers: boolean;
  /** model_info's summary line groups digits (`2,572,280 parameters`, 8.4) or not (8.2). */
  groupedDigits: boolean;
}

/** The semantics of each supported release. */
export const ULTRALYTICS_SEMANTICS: Record<UltralyticsVersion, UltralyticsSemantics> = {
  '8.2': { sppfCv1Act: true, ncKeepsWidth: true, boxBiasInit: 1.0, leafLayers: false, groupedDigits: false },
  '8.4': { sppfCv1Act: false, ncKeepsWidth: false, boxBiasInit: 2.0, leafLayers: true, groupedDigits: true },
};

/**
 * The semantics of an ultralytics version as fixtures and checkpoints record it (`"8.2.82"`, `"8.4.104"`) or
 * as a YAML writes it (`8.2`, `'8.4'`): releases before 8.4 build as 8.2 does, 8.4 and later as 8.4. Anything
 * that is not an 8.x version throws, naming `source`.
 */
export function ultralyticsVersion(version: unknown, source = 'ultralytics'): UltralyticsVersion {
  const text = typeof version === 'number' ? String(version) : version;
  const m = typeof text === 'string' ? /^\s*v?8\.(\d+)(\.\d+)*\s*$/.exec(text) : null;
  if (!m) throw new ConfigError(`${source}: ultralytics version must be 8.2 or 8.4 (or a full 8.x.y release), got ${JSON.stringify(version)}`);
  return Number(m[1]) < 4 ? '8.2' : '8.4';
}

/**
 * The semantics of a build: the caller's choice (`BuildOptions.ultralytics`) first, then the YAML's top-level
 * `ultralytics:` key, then {@link DEFAULT_ULTRALYTICS}.
 */
export function resolveUltralytics(fromYaml: unknown, fromCaller: UltralyticsVersion | undefined, source = 'config'): UltralyticsVersion {
  if (fromCaller !== undefined) return ultralyticsVersion(fromCaller, 'BuildOptions.ultralytics');
  if (fromYaml !== undefined && fromYaml !== null) return ultralyticsVersion(fromYaml, `${source}: top-level 'ultralytics'`);
  return DEFAULT_ULTRALYTICS;
}
