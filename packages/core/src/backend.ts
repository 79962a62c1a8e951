import * as tf from '@tensorflow/tfjs-core';

/** Backends plugconv supports: Node has cpu and wasm; browsers add webgl and webgpu. */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/**
 * Parity tolerance per backend, in one place: pass when every element has |y - ref| <= atol + rtol*|ref|.
 * DESIGN.md's check tolerance holds on every backend (WebGL and WebGPU run float32 here).
 */
export const TOLERANCE: Record<BackendName, { atol: number; rtol: number }> = {
  cpu: { atol: 1e-4, rtol: 1e-3 },
  wasm: { atol: 1e-4, rtol: 1e-3 },
  webgl: { atol: 1e-4, rtol: 1e-3 },
  webgpu: { atol: 1e-4, rtol: 1e-3 },
};

/**
 * Selects a tfjs backend and waits until it is ready; the backend's package must be imported first
 * (`import '@tensorflow/tfjs-backend-wasm'`). WebGL is switched to float32 everywhere so results match.
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'webgl') tf.env().set('WEBGL_FORCE_F16_TEXTURES', false);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend '${name}' could not be initialised (is its package imported and supported here?)`);
  await tf.ready();
}
