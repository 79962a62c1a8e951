// One training step of a core Conv on cpu: every gradient exists, is finite and not all zero, and SGD moves the
// weights. Used by the gradients import-order checks (gradients-first.mjs, gradients-last.mjs).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Conv, useBackend } from '@plugconv/core';

export async function trainStep(label) {
  await useBackend('cpu');
  const layer = new Conv(3, 8, 3, 2);
  layer.train();
  const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 1);
  const vars = layer.trainableVariables();
  const before = vars.map((v) => v.dataSync().slice());
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(layer.forward(x))), vars);
  const problems = vars.flatMap((v) => {
    const g = grads[v.name];
    if (!g) return [`${v.name}: no gradient`];
    const d = g.dataSync();
    return d.every(Number.isFinite) && d.some((e) => e !== 0) ? [] : [`${v.name}: gradient not finite or all zero`];
  });
  tf.train.sgd(0.1).applyGradients(grads);
  const moved = vars.filter((v, i) => v.dataSync().some((e, j) => e !== before[i][j])).length;
  tf.zeros([2]).clone().dispose(); // the Tensor class tfjs-core registered is the one every tensor has
  if (problems.length || moved !== vars.length) throw new Error(`${label}: ${problems.join('; ')} (${moved}/${vars.length} variables moved)`);
  console.log(`${label}: loss ${value.dataSync()[0].toFixed(5)}, ${vars.length} gradients, every variable moved by SGD`);
}
