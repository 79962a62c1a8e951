/**
 * Registers tfjs-core's gradient functions, needed to train (tfjs-core ships them separately from the kernels;
 * the `@tensorflow/tfjs` union package imports them). `import '@plugconv/core/gradients'` once, in Node or a
 * browser; the built file is a bundle plain Node can load.
 * @packageDocumentation
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
