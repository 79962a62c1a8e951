/**
 * @plugconv/core: a PyTorch-like module system for TensorFlow.js, ultralytics' YOLOv8 blocks, the YAML parser
 * and module registry, safetensors state dicts, FLOP counting and Conv+BN fusion.
 * @packageDocumentation
 */
export * from './math.js';
export * from './nn/layout.js';
export * from './nn/module.js';
export * from './nn/init.js';
export * from './nn/check-args.js';
export * from './nn/fold-batchnorm.js';
export * from './nn/conv2d.js';
export * from './nn/batchnorm.js';
export * from './nn/linear.js';
export * from './nn/activations.js';
export * from './nn/pool.js';
export * from './ops/conv-types.js';
export * from './ops/kernel-layout.js';
export { subsample, phaseTaps, type PhaseTaps } from './ops/polyphase.js';
export * from './ops/conv.js';
export { concatChannels, splitChannels, CONCAT_CHANNELS_KERNEL, SPLIT_CHANNELS_KERNEL } from './ops/channels.js';
export * from './flops.js';
export * from './blocks/fusable.js';
export * from './blocks/conv-norm-act.js';
export * from './blocks/conv.js';
export * from './blocks/channel-pieces.js';
export * from './blocks/csp.js';
export * from './blocks/sppf.js';
export * from './blocks/ghost.js';
export * from './blocks/attention.js';
export * from './blocks/c3k2.js';
export * from './blocks/area-attention.js';
export * from './blocks/detect-decode.js';
export * from './blocks/detect-topk.js';
export * from './blocks/detect.js';
export * from './registry/spec.js';
export * from './registry/registry.js';
export * from './registry/signature.js';
export * from './registry/core-modules.js';
export * from './parse/config.js';
export * from './parse/python.js';
export * from './parse/parse-model.js';
export * from './parse/semantics.js';
export * from './parse/head-args.js';
export * from './model/detection-model.js';
export * from './model/summary.js';
export * from './model/fuse.js';
export * from './state/safetensors.js';
export * from './backend.js';
export * from './parity-tally.js';
export * from './parity.js';
export * from './detection-parity.js';
export * from './fixture-check.js';
export * from './model/deploy.js';
export * from './checkpoint/index.js';
