import * as tf from '@tensorflow/tfjs-core';

/** The active tfjs backend's name, or '' when none is initialised yet (never initialises one). */
export function activeBackend(): string {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? '';
}
