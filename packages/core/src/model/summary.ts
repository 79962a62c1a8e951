import * as tf from '@tensorflow/tfjs-core';
import { countingMacs } from '../flops.js';
import type { Module } from '../nn/module.js';
import { DetectionModel } from './detection-model.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import type { UltralyticsVersion } from '../registry/spec.js';
import { ULTRALYTICS_SEMANTICS } from '../parse/semantics.js';

/** ultralytics' model_info figures. */
export interface ModelSummary {
  /** Model name (`YOLOv8n`). */
  name: string;
  /** Layers as ultralytics counts them (see {@link layerCount}): every module (8.2) or the leaf modules (8.4). */
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
  /** The ultralytics semantics the model was built with. */
  ultralytics: UltralyticsVersion;
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
 * cost is a*s^4 + b*s^2 + c exactly (a: attention matmuls, whose cost grows with the square of the positions; b:
 * convolutions and other per-position work; c: per-image work such as routing and SE layers), so three small
 * probes give it; other sizes are counted directly.
 */
export function modelGflops(model: DetectionModel, imgsz = 640): number {
  const c = model.inputChannels;
  const maxStride = Math.max(32, ...model.stride);
  const s1 = Math.max(128, maxStride);
  const step = Math.max(64, maxStride);
  const probes = [s1, s1 + step, s1 + 2 * step];
  if (imgsz % maxStride !== 0 || imgsz <= probes[2]!) return (2 * countMacsAt(model, [1, imgsz, imgsz, c])) / 1e9;
  // fit f(s) = a*s^4 + b*s^2 + c through the probes: in u = s^2, a quadratic through three points
  const [u1, u2, u3] = probes.map((s) => s * s) as [number, number, number];
  const [f1, f2, f3] = probes.map((s) => countMacsAt(model, [1, s, s, c])) as [number, number, number];
  const d12 = (f2 - f1) / (u2 - u1);
  const d23 = (f3 - f2) / (u3 - u2);
  const a = (d23 - d12) / (u3 - u1);
  const b = d12 - a * (u1 + u2);
  const c0 = f1 - a * u1 * u1 - b * u1;
  const u = imgsz * imgsz;
  return (2 * (a * u * u + b * u + c0)) / 1e9;
}

/** ultralytics' is_fused: fewer than 10 normalisation layers left. */
export function isFused(model: Module<any, any>): boolean {
  return model.namedModules().filter(([, m]) => m instanceof BatchNorm2d).length < 10;
}

/**
 * ultralytics' layer count, which changed with 8.4: 8.2 counts every module of the tree (len(list(model.modules()))),
 * 8.4 only the leaves (modules without children); each object once (the shared default activation counts once).
 */
export function layerCount(model: Module<any, any>, ultralytics: UltralyticsVersion): number {
  const modules = model.namedModules();
  return ULTRALYTICS_SEMANTICS[ultralytics].leafLayers ? modules.filter(([, m]) => m.namedChildren().length === 0).length : modules.length;
}

/** ultralytics' model_info: layers (counted as the model's ultralytics version does), parameters, gradients, GFLOPs. */
export function summarize(model: DetectionModel, imgsz = 640): ModelSummary {
  const fused = isFused(model);
  return {
    name: model.name,
    layers: layerCount(model, model.ultralytics),
    params: model.numParams(),
    gradients: model.numGradients(),
    gflops: modelGflops(model, imgsz),
    imgsz,
    fused,
    ultralytics: model.ultralytics,
  };
}

/**
 * ultralytics' summary line, as the model's release prints it: 8.2 `YOLOv8n summary: 225 layers, 3157200 parameters,
 * 3157184 gradients, 8.9 GFLOPs`, 8.4 with thousands separators (`YOLO26n summary: 260 layers, 2,572,280
 * parameters, ...`). GFLOPs are core's count (attention included), not thop's.
 */
export function summaryLine(s: ModelSummary): string {
  const n = (v: number) => (ULTRALYTICS_SEMANTICS[s.ultralytics].groupedDigits ? v.toLocaleString('en-US') : String(v));
  return `${s.name} summary${s.fused ? ' (fused)' : ''}: ${n(s.layers)} layers, ${n(s.params)} parameters, ${n(s.gradients)} gradients, ${s.gflops.toFixed(1)} GFLOPs`;
}
