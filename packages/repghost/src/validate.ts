import type * as tf from '@tensorflow/tfjs-core';

/** Throws unless `v` is odd: the re-parameterised branches need a kernel with a centre tap. */
export function checkOddSize(owner: string, name: string, v: number): void {
  if (v % 2 !== 1) throw new Error(`${owner}: ${name} must be odd so the branches keep the map size and fold into its centre tap, got ${v}`);
}

/** Throws unless `x` is an NHWC batch with `channels` channels, naming the module. */
export function checkChannels(owner: string, channels: number, x: tf.Tensor): void {
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new Error(`${owner}: expected an NHWC input with ${channels} channels, got shape [${x.shape}]`);
  }
}
