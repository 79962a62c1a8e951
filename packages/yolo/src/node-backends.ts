import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName } from '@plugconv/core';
import { UsageError } from './usage-error.js';

/** Backends available in Node. */
export const NODE_BACKENDS = ['wasm', 'cpu'] as const;

/** A backend available in Node. */
export type NodeBackendName = (typeof NODE_BACKENDS)[number];

/** Selects a Node backend (wasm by default: SIMD, one thread). Unknown names fail with the list. */
export async function useNodeBackend(name: string = 'wasm'): Promise<NodeBackendName> {
  if (!(NODE_BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}' (Node has ${NODE_BACKENDS.join(', ')})`);
  }
  tf.env().set('PROD', true);
  await useBackend(name as BackendName);
  return name as NodeBackendName;
}
