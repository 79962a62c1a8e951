// @plugconv/core/gradients as the only plugconv import: tfjs-core's own conv2d trains.
import '@plugconv/core/gradients';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const w = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 1));
const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 2);
const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.conv2d(x, w, 1, 'same'))));
const g = grads[w.name].dataSync();
if (!g.every(Number.isFinite) || !g.some((e) => e !== 0)) throw new Error('gradients imported alone: no usable conv2d gradient');
console.log(`gradients imported alone: loss ${value.dataSync()[0].toFixed(5)}, conv2d gradient of ${g.length} elements`);
