import * as tf from '@tensorflow/tfjs-core';
import type { DetectionModel } from '@plugconv/core';
import type { Detection } from './detection.js';
import type { RgbImage } from './image.js';
import { letterbox } from './letterbox.js';
import { end2endDetections, nonMaxSuppression, type NmsOptions } from './nms.js';
import { scaleBoxes } from './scale-boxes.js';

/** Options of {@link predictImage}: the NMS options plus the letterbox size and mode. */
export interface PredictOptions extends NmsOptions {
  /** Letterbox side (default 640); must be a multiple of the model's largest stride. */
  imgsz?: number;
  /**
   * ultralytics' predict letterbox for a single image (default true): pad only to a multiple of the largest
   * stride (auto, "rectangular inference", what ultralytics' predict does with a PyTorch model); false pads
   * to imgsz x imgsz (the square input an exported model needs).
   */
  rect?: boolean;
}

/** Detections of one image with the time each stage took. */
export interface Prediction {
  /** The detections after NMS, in pixels of the original image. */
  detections: Detection[];
  /** Milliseconds per stage. */
  speed: {
    /** Letterbox and input tensor. */
    preprocess: number;
    /** Forward, until the output is read. */
    inference: number;
    /** NMS and scaling the boxes back. */
    postprocess: number;
  };
}

/** The input tensor over `out` (of the image's length), filled with the image's samples / 255 (ultralytics' im / 255). */
function scaleInto(img: RgbImage, out: Float32Array): tf.Tensor4D {
  if (img.channels !== 3) throw new Error(`expected an RGB image, got ${img.channels} channels`);
  const data = img.data;
  for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
  return tf.tensor4d(out, [1, img.height, img.width, 3]);
}

/** The model input for a letterboxed RGB image: (1, H, W, 3) float32 in [0, 1] (ultralytics' im / 255). */
export function imageToInput(img: RgbImage): tf.Tensor4D {
  return scaleInto(img, new Float32Array(img.data.length));
}

/**
 * predictImage's input samples, kept from image to image: a fresh 5 MB buffer per 640x640 image is what made
 * V8 collect garbage every few images ("external memory pressure"), on the cores the forward needs. Safe to
 * reuse because the input tensor that holds it lives only in predictImage's synchronous part (created, run
 * through the model, disposed before the first await), and a backend that keeps the buffer (cpu) drops it
 * with the tensor.
 */
let inputSamples = new Float32Array(0);

/** {@link imageToInput} into {@link inputSamples}; dispose the tensor before anything awaits. */
function reusedInput(img: RgbImage): tf.Tensor4D {
  if (inputSamples.length < img.data.length) inputSamples = new Float32Array(img.data.length);
  return scaleInto(img, inputSamples.subarray(0, img.data.length));
}

/**
 * ultralytics' predict for one image: LetterBox to imgsz (auto: minimal padding to a stride multiple, unless
 * `rect` is false; cv2 INTER_LINEAR, pad 114), RGB / 255, eval forward, non_max_suppression (conf 0.25, IoU
 * 0.7, max_det 300 by default; an end2end head's top-k output is only filtered by confidence, no NMS),
 * scale_boxes back to the image. Leaves no tensors behind.
 */
export async function predictImage(model: DetectionModel, img: RgbImage, options: PredictOptions = {}): Promise<Prediction> {
  const imgsz = options.imgsz ?? 640;
  const maxStride = Math.max(32, ...model.stride);
  if (!Number.isInteger(imgsz) || imgsz < maxStride || imgsz % maxStride !== 0) {
    throw new Error(`imgsz must be a multiple of the model's stride ${maxStride}, got ${imgsz}`);
  }
  const t0 = performance.now();
  const lb = letterbox(img, { size: imgsz, auto: options.rect ?? true, stride: maxStride });
  const x = reusedInput(lb.image);
  const t1 = performance.now();
  let y: tf.Tensor;
  try {
    y = model.predict(x);
  } finally {
    x.dispose();
  }
  try {
    const values = (await y.data()) as Float32Array;
    const t2 = performance.now();
    const [dets] = model.head?.end2end ? await end2endDetections(y, options, values) : await nonMaxSuppression(y, options, values);
    const detections = scaleBoxes([lb.image.height, lb.image.width], dets!, [img.height, img.width]);
    return { detections, speed: { preprocess: t1 - t0, inference: t2 - t1, postprocess: performance.now() - t2 } };
  } finally {
    y.dispose();
  }
}
