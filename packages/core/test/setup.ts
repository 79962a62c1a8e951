import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
// training tests need tfjs-core's gradient functions (a separate import in tfjs)
import '@plugconv/core/gradients';

tf.env().set('IS_TEST', true);
// quiet the "Platform node has already been set" and kernel-registration chatter
tf.env().set('PROD', true);

// every test file starts on wasm (Node's default backend); files that need cpu switch explicitly
await tf.setBackend('wasm');
await tf.ready();
