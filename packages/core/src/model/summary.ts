import * as tf from '@tensorflow/tfjs-core';
import { countingMacs } from '../flops.js';
import type { Module } from '../nn/module.js';
import { DetectionModel } from './detection-model.js';
import { BatchNorm2d } from '../nn/batchnorm.js';

/** ultralytics' model_info figures. */
export interface ModelSummary {
  /** Model name (`YOLOv8n`). */
  name: string;
  /** Number of modules in the tree, each object once (PyTorch's len(list(model.modules()))). */
  layers: number;
  /** Parameters (trainable and frozen; buffers excluded). */
  params: number;
  /** Trainable parameters (params minus frozen ones such as the DFL's 16). */
  gradients: number;
  /** 2 x MACs / 1e9 for one image at imgsz x imgsz, by the FLOP rule (docs/design.md, "Counting FLOPs"). */
  gflops: number;
  /** Input size the GFLOPs are given for (square). */
  imgsz: number;
  /** Whether the model was fused (ultralytics prints `fused` in the summary name). */
  fused: boolean;
}

/** MACs of one eval forward of `model` on a zero batch of the given NHWC shape (convs are not computed). */
export function countMacsAt(model: Module<tf.Tensor, unknown>, shape: number[]): number {
  const wasTraining = model.training;
  model.eval();
  try {
    return countingMacs(() => tf.tidy(() => void model.forward(tf.zeros(shape))), { shapeOnly: true }).macs;
  } finally {
    model.train(wasTraining);
  }
}

/**
 * GFLOPs of a detection model at imgsz x imgsz. For square inputs that are multiples of the largest stride the
 * cost is a*s^2 + b exactly (b: per-image work such as routing and SE layers), so two small probes give it;
 * other sizes are counted directly.
 */
export function modelGflops(model: DetectionModel, imgsz = 640): number {
  const c = model.inputChannels;
  const maxStride = Math.max(32, ...model.stride);
  if (imgsz % maxStride !== 0 || imgsz <= 2 * maxStride) return (2 * countMacsAt(model, [1, imgsz, imgsz, c])) / 1e9;
  const s1 = Math.max(128, maxStride);
  const s2 = 2 * s1;
  const f1 = countMacsAt(model, [1, s1, s1, c]);
  const f2 = countMacsAt(model, [1, s2, s2, c]);
  const a = (f2 - f1) / (s2 * s2 - s1 * s1);
  const b = f1 - a * s1 * s1;
  return (2 * (a * imgsz * imgsz + b)) / 1e9;
}

/** ultralytics' is_fused: fewer than 10 normalisation layers left. */
export function isFused(model: Module<any, any>): boolean {
  return model.namedModules().filter(([, m]) => m instanceof BatchNorm2d).length < 10;
}

/** ultralytics' model_info: layers, parameters, gradients and GFLOPs. */
export function summarize(model: DetectionModel, imgsz = 640): ModelSummary {
  const fused = isFused(model);
  return {
    name: model.name,
    layers: model.namedModules().length,
    params: model.numParams(),
    gradients: model.numGradients(),
    gflops: modelGflops(model, imgsz),
    imgsz,
    fused,
  };
}

/** ultralytics' summary line: `YOLOv8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs`. */
export function summaryLine(s: ModelSummary): string {
  return `${s.name} summary${s.fused ? ' (fused)' : ''}: ${s.layers} layers, ${s.params} parameters, ${s.gradients} gradients, ${s.gflops.toFixed(1)} GFLOPs`;
}
