import type { ScaffoldRule } from '../names.js';

/** Everything the templates need to know about the package being scaffolded. */
export interface ScaffoldContext {
  /** Directory and npm name without scope (`ghost-shuffle-conv`). */
  name: string;
  /** Scoped npm name (`@plugconv/ghost-shuffle-conv`). */
  packageName: string;
  /** YAML token and class name (`GhostShuffleConv`). */
  token: string;
  rule: ScaffoldRule;
  /** Versions of @tensorflow/tfjs-core, as @plugconv/core declares them. */
  tfjs: { peer: string; dev: string };
}
