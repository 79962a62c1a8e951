// The cold-start path, step by step, for Node and the browser alike (the caller passes in the libraries it
// imported and a way to read a file): from a ready tfjs module to the first detection, timing each step.
// No Node or DOM API here: the browser benchmark bundles this file into its page.

/** Runs `fn`, adding its milliseconds to `times[step]`. */
async function timed(times, step, fn) {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    times[step] = (times[step] ?? 0) + performance.now() - t0;
  }
}

/** An RGB test image in [0, 1] (NHWC), a fixed pattern: the same input on every run and every side. */
export function testPixels(h, w) {
  const a = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a.set([x / w, y / h, ((x ^ y) & 32) / 32], (y * w + x) * 3);
  return a;
}

/**
 * plugconv from its imported modules to the first detection at `imgsz`, timing `backend init` (tfjs-wasm with
 * `threads`, set before the backend starts), `build` (config -> DetectionModel), `weight load` (read the file,
 * decode it, load the state dict), `deploy` (fold BN, re-parameterise), `first forward` (input tensor, forward,
 * output read back) and `postprocess` (NMS, or the end-to-end head's confidence filter).
 *
 * `weights` is `{ kind: 'safetensors', read }` (with `config`: { text, name, scale }) or `{ kind: 'pt', read }`
 * (a best.pt: the config is the checkpoint's own). `read()` gives the file's bytes.
 */
export async function plugconvFirstDetection({ tf, wasm, core, yolo, threads, config, weights, imgsz = 640, conf = 0.25 }) {
  const times = {};
  await timed(times, 'backend init', async () => {
    if (threads) wasm.setThreadsCount(threads);
    await core.useBackend('wasm');
  });
  tf.env().set('PROD', true);
  let checkpoint = null;
  let model;
  if (weights.kind === 'pt') {
    checkpoint = await timed(times, 'weight load', async () => core.readCheckpoint(await weights.read(), { source: weights.name, task: 'detect' }));
    model = await timed(times, 'build', () => {
      const cfg = core.parseYoloConfig(JSON.stringify(checkpoint.yaml), weights.name);
      return core.buildModel(cfg, { registry: yolo.registry, scale: checkpoint.yaml.scale, warn: () => {} }).eval();
    });
    await timed(times, 'weight load', () => {
      const state = core.stateDictToTf(checkpoint.stateDict);
      try {
        yolo.loadStateInto(model, state, weights.name);
      } finally {
        for (const t of state.values()) t.dispose();
      }
    });
  } else {
    model = await timed(times, 'build', () => core.buildModel(core.parseYoloConfig(config.text, config.name), { registry: yolo.registry, scale: config.scale, warn: () => {} }).eval());
    await timed(times, 'weight load', async () => {
      const state = core.decodeSafetensors(await weights.read(), weights.name);
      try {
        yolo.loadStateInto(model, state, weights.name);
      } finally {
        for (const t of state.values()) t.dispose();
      }
    });
  }
  await timed(times, 'deploy', () => core.deploy(model));
  const y = await timed(times, 'first forward', async () => {
    const x = tf.tensor4d(testPixels(imgsz, imgsz), [1, imgsz, imgsz, 3]);
    try {
      const out = model.predict(x);
      await out.data();
      return out;
    } finally {
      x.dispose();
    }
  });
  const detections = await timed(times, 'postprocess', async () => {
    try {
      if (model.head?.end2end) {
        // the end-to-end head's output is already the top-k (B, k, 6): keep the confident rows
        const rows = (await y.array())[0];
        return rows.filter((r) => r[4] >= conf).length;
      }
      const [dets] = await yolo.nonMaxSuppression(y, { conf });
      return dets.length;
    } finally {
      y.dispose();
    }
  });
  const summary = { name: core.summarize(model, imgsz).name, outputShape: y.shape, detections, wasmThreads: wasm.getThreadsCount?.() };
  model.dispose();
  return { times, ...summary };
}

/**
 * onnxruntime-web's session options here (a fresh object each time: onnxruntime-web keeps and wraps it): graph optimisation on, and its intra-op threads sleep between runs
 * instead of spinning (a spinning thread would take a core from the other engine measured in turns).
 */
export const ortSessionOptions = () => ({ executionProviders: ['wasm'], graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } });

/**
 * onnxruntime-web from its imported module to the first output: `session create` (reading the .onnx bytes,
 * starting its wasm runtime, optimising the graph) and `first run` (same test image, NCHW). `threads` must be set
 * before the first session (the runtime starts once).
 */
export async function ortFirstRun({ ort, threads = 1, read, imgsz = 640 }) {
  const times = {};
  ort.env.wasm.numThreads = threads;
  const session = await timed(times, 'session create', async () => ort.InferenceSession.create(await read(), ortSessionOptions()));
  const out = await timed(times, 'first run', async () => {
    const nhwc = testPixels(imgsz, imgsz);
    const nchw = new Float32Array(nhwc.length);
    for (let i = 0; i < imgsz * imgsz; i++) for (let c = 0; c < 3; c++) nchw[c * imgsz * imgsz + i] = nhwc[i * 3 + c];
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', nchw, [1, 3, imgsz, imgsz]) });
    return result[session.outputNames[0]];
  });
  const outputShape = Array.from(out.dims);
  await session.release();
  return { times, outputShape };
}
