import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, compareArrays, compareBoxRows, compareTopk, coreModules, Detect, fromTorchLayout, fuse, Registry, topkDetections, TOLERANCE, useBackend } from '../src/index.js';
import { loadFixture, loadYoloConfig } from '../src/node.js';
import { fixturePath } from './helpers.js';

const registry = new Registry(coreModules);
const yolo26t = () => buildModel(loadYoloConfig(fixturePath('v11/models/yolo26.yaml')), { registry, scale: 't', warn: () => {} });

describe("end-to-end top-k is ultralytics' postprocess", () => {
  it('gives what Detect.postprocess gives (max_det 4 of 6 anchors, 3 classes, two images)', async () => {
    // predictions and ultralytics 8.4.104's Detect(nc=3, end2end=True).postprocess output with max_det = 4
    const preds = [
      [[49.625701904296875, 76.82219696044922, 8.847700119018555, 13.20300006866455, 0.3073999881744385, 0.6341000199317932, 0.4900999963283539], [89.64450073242188, 45.562801361083984, 63.23059844970703, 34.88930130004883, 0.4016999900341034, 0.022299999371170998, 0.1688999980688095], [29.3887996673584, 51.85219955444336, 69.76679992675781, 80.0010986328125, 0.16099999845027924, 0.2822999954223633, 0.6815999746322632], [91.51940155029297, 39.709999084472656, 87.41560363769531, 41.940799713134766, 0.5529000163078308, 0.9527000188827515, 0.03620000183582306], [18.523099899291992, 37.34170150756836, 30.510000228881836, 93.19999694824219, 0.17589999735355377, 0.26980000734329224, 0.15070000290870667], [3.171999931335449, 20.812999725341797, 92.97989654541016, 72.31089782714844, 0.7422999739646912, 0.5263000130653381, 0.24369999766349792]],
      [[58.45920181274414, 3.3152999877929688, 13.871700286865234, 24.223499298095703, 0.815500020980835, 0.7932000160217285, 0.2782999873161316], [48.195899963378906, 81.97799682617188, 99.70670318603516, 69.84410095214844, 0.5674999952316284, 0.8352000117301941, 0.20559999346733093], [59.31719970703125, 11.234700202941895, 15.34570026397705, 24.170799255371094, 0.7261999845504761, 0.7010999917984009, 0.2037999927997589], [65.10540008544922, 77.44860076904297, 43.6890983581543, 51.90909957885742, 0.6158999800682068, 0.8101999759674072, 0.9800999760627747], [11.468799591064453, 31.67650032043457, 69.65049743652344, 91.42749786376953, 0.9351000189781189, 0.9412000179290771, 0.5995000004768372], [6.520899772644043, 54.59960174560547, 18.71969985961914, 3.4022998809814453, 0.9441999793052673, 0.8802000284194946, 0.0012000000569969416]],
    ];
    const expected = [
      [[91.51940155029297, 39.709999084472656, 87.41560363769531, 41.940799713134766, 0.9527000188827515, 1], [3.171999931335449, 20.812999725341797, 92.97989654541016, 72.31089782714844, 0.7422999739646912, 0], [29.3887996673584, 51.85219955444336, 69.76679992675781, 80.0010986328125, 0.6815999746322632, 2], [49.625701904296875, 76.82219696044922, 8.847700119018555, 13.20300006866455, 0.6341000199317932, 1]],
      [[65.10540008544922, 77.44860076904297, 43.6890983581543, 51.90909957885742, 0.9800999760627747, 2], [6.520899772644043, 54.59960174560547, 18.71969985961914, 3.4022998809814453, 0.9441999793052673, 0], [11.468799591064453, 31.67650032043457, 69.65049743652344, 91.42749786376953, 0.9412000179290771, 1], [11.468799591064453, 31.67650032043457, 69.65049743652344, 91.42749786376953, 0.9351000189781189, 0]],
    ];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const y = topkDetections(tf.tensor(preds), 3, 4);
      expect(y.arraySync()).toEqual(expected.map((b) => b.map((r) => r.map(Math.fround))));
      // fewer anchors than max_det: k = anchors
      expect(topkDetections(tf.tensor(preds), 3, 300).shape).toEqual([2, 6, 6]);
    }
  });
});

describe('Detect (8.4) in a YOLO26 model', () => {
  it('fuse() drops the one-to-many branch, folds BN, keeps the top-k output', async () => {
    await useBackend('cpu');
    const fx = loadFixture(fixturePath('v11/models/yolo26-t.safetensors'));
    const model = yolo26t();
    model.loadStateDict(fx.state);
    const x = fromTorchLayout(fx.input);
    const before = model.predict(x);
    fuse(model);
    const head = model.head as Detect;
    expect([head.cv2, head.cv3]).toEqual([null, null]);
    expect(model.namedParameters().some(([k]) => /^model\.23\.cv[23]\./.test(k))).toBe(false);
    expect(model.namedParameters().some(([k]) => k.startsWith('model.23.one2one_cv3.'))).toBe(true);
    const after = model.predict(x);
    expect(after.shape).toEqual([1, 84, 6]);
    const d = tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]!;
    expect(d).toBeLessThan(1e-3);
    expect(() => model.train().forward(x)).toThrow(/fuse\(\) removed the one-to-many branch/);
    tf.dispose([before, after, x]);
    model.dispose();
  });

  it('training returns one-to-many then one-to-one maps; the one-to-one loss does not reach the backbone', async () => {
    await useBackend('cpu');
    const model = yolo26t().train();
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 3);
    const maps = model.forward(x) as tf.Tensor[];
    expect(maps.map((m) => m.shape)).toEqual([8, 4, 2, 8, 4, 2].map((s) => [1, s, s, 4 + 80]));
    tf.dispose(maps);
    const stem = model.namedParameters().find(([k]) => k === 'model.0.conv.weight')![1];
    const o2o = model.namedParameters().find(([k]) => k === 'model.23.one2one_cv2.0.2.weight')![1];
    const { grads } = tf.variableGrads(() => {
      const out = model.forward(x) as tf.Tensor[];
      return tf.add(tf.sum(out[3]!), tf.sum(out[4]!)) as tf.Scalar;
    }, [stem, o2o]);
    expect(tf.max(tf.abs(grads[stem.name]!)).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(grads[o2o.name]!)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, ...Object.values(grads)]);
    model.dispose();
  });

  it('eval forwards leak no tensors (predict, raw output)', async () => {
    await useBackend('wasm');
    const model = yolo26t();
    const x = tf.randomUniform([1, 64, 64, 3]);
    model.predict(x).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) model.predict(x).dispose();
    (model.head as Detect).rawOutput = true;
    const raw = model.predict(x);
    expect(raw.shape).toEqual([1, 84, 84]);
    raw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('the detection parity rule', () => {
  const tol = TOLERANCE.cpu;
  it('compares box rows in grid cells (pixels / stride), class rows as they are, and locates the worst element', () => {
    // (1, 4 + 1, 2): anchor 0 at stride 8, anchor 1 at stride 32 with a 0.5 px wide box, 3e-3 px off
    const ref = [10, 20, 30, 40, 5, 6, 0.25, 0.5, 0.5, 0.5];
    const y = ref.slice();
    y[7] = 0.503;
    const cells = compareBoxRows(y, ref, [1, 5, 2], [8, 32], tol);
    expect(cells.pass).toBe(true); // 9.4e-5 cells
    expect(compareArrays(y, ref, tol).pass).toBe(false); // in pixels 3e-3 > 1e-4 + 1e-3 * 0.5
    y[9] = 0.51; // a class score 0.01 off
    const bad = compareBoxRows(y, ref, [1, 5, 2], [8, 32], tol);
    expect(bad.pass).toBe(false);
    expect(bad.worstIndex).toEqual([0, 4, 1]);
  });
  it('top-k: tied scores may swap rows, other swaps fail at their index; ties at the cut-off may differ', () => {
    const stride = () => 8;
    const ref = [
      [0, 0, 8, 8, 0.9, 3],
      [8, 8, 16, 16, 0.5, 1],
      [16, 16, 24, 24, 0.5, 2],
      [0, 8, 8, 16, 0.2, 0],
    ].flat();
    const tied = [
      [0, 0, 8, 8, 0.9, 3],
      [16, 16, 24, 24, 0.50002, 2],
      [8, 8, 16, 16, 0.5, 1],
      [0, 8, 8, 16, 0.2, 0],
    ].flat();
    expect(compareTopk(tied, ref, [1, 4, 6], stride, tol).pass).toBe(true);
    const swapped = [
      [8, 8, 16, 16, 0.9, 1],
      [0, 0, 8, 8, 0.5, 3],
      [16, 16, 24, 24, 0.5, 2],
      [0, 8, 8, 16, 0.2, 0],
    ].flat();
    const r = compareTopk(swapped, ref, [1, 4, 6], stride, tol);
    expect(r.pass).toBe(false);
    expect(r.worstIndex).toEqual([0, 0, 5]);
    const cutOff = [...ref.slice(0, 18), 24, 24, 32, 32, 0.2, 4];
    expect(compareTopk(cutOff, ref, [1, 4, 6], stride, tol).pass).toBe(true);
    const box = ref.slice();
    box[13] += 0.05; // 0.05 px at stride 8: 6e-3 cells
    const b = compareTopk(box, ref, [1, 4, 6], stride, tol);
    expect([b.pass, b.worstIndex]).toEqual([false, [0, 2, 1]]);
  });
});
