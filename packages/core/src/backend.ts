import * as tf from '@tensorflow/tfjs-core';

/** Backends plugconv supports: Node has cpu and wasm; browsers add webgl and webgpu. */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/**
 * Parity tolerance per backend, in one place: pass when every element has |y - ref| <= atol + rtol*|ref|.
 * The parity tolerance of docs/design.md holds on every backend (WebGL and WebGPU run float32 here).
 */
export const TOLERANCE: Record<
  BackendName,
  {
    /** Absolute tolerance. */
    atol: number;
    /** Tolerance relative to |ref|. */
    rtol: number;
  }
> = {
  cpu: { atol: 1e-4, rtol: 1e-3 },
  wasm: { atol: 1e-4, rtol: 1e-3 },
  webgl: { atol: 1e-4, rtol: 1e-3 },
  webgpu: { atol: 1e-4, rtol: 1e-3 },
};

/**
 * The one switch for users: selects `cpu`, `wasm`, `webgl` or `webgpu` and waits until it is ready. The backend's
 * package must be imported first (`import '@tensorflow/tfjs-backend-webgpu'`; for wasm in a browser, call its
 * `setWasmPaths` too). WebGL is kept in float32 so results match the other backends. Fails naming the backend
 * when it cannot run here (package not imported, no WebGPU adapter, no WebGL2).
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  if (!tf.findBackendFactory(name)) {
    throw new Error(`backend '${name}' is not registered: import '@tensorflow/tfjs-backend-${name}' first`);
  }
  if (name === 'webgl') tf.env().set('WEBGL_FORCE_F16_TEXTURES', false);
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`backend '${name}' failed to initialise: ${(e as Error).message}`);
  }
  if (!ok) throw new Error(`backend '${name}' could not be initialised here (no device or API for it)`);
  await tf.ready();
}
