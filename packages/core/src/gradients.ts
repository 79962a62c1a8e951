// tfjs-core ships the gradient functions separately from the kernels (the @tensorflow/tfjs union package
// imports them); plugconv modules train, so core registers them once, as a side effect of importing core.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
