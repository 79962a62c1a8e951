// One image file through the predict pipeline: read, predict, the detections as predictions.json records them,
// and optionally the annotated copy. Used alike by the in-process loop and by predictMany's workers.
import { basename, join } from 'node:path';
import type { DetectionModel } from '@plugconv/core';
import { classNames } from './coco.js';
import { drawDetections } from './draw.js';
import { ImageDecodeError, readImage, writeImage } from './image-io.js';
import { predictImage, type PredictOptions } from './predict.js';

/** One image's detections as predictions.json records them. */
export interface ImageResult {
  /** The image file, as given. */
  file: string;
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Boxes (x1, y1, x2, y2 in image pixels) rounded to 3 decimals, scores to 5, with the class name. */
  detections: {
    /** x1, y1, x2, y2 in image pixels. */
    box: number[];
    /** Confidence score. */
    conf: number;
    /** Class index. */
    cls: number;
    /** Class name. */
    name: string;
  }[];
  /** Milliseconds per stage. */
  speed: {
    /** Letterbox and input tensor, ms. */
    preprocess: number;
    /** Forward with the output read back, ms. */
    inference: number;
    /** NMS (or the end2end filter) and scaling back, ms. */
    postprocess: number;
  };
}

/** Options of {@link predictFile}: the predict options, the class names and where annotated copies go. */
export interface PredictFileOptions extends PredictOptions {
  /** Class names (default: COCO's for 80 classes, else `class<i>`). */
  names?: string[];
  /** Write the annotated copy into this folder, under the source's name (JPEG or PNG as the source). */
  saveDir?: string;
}

/**
 * Reads an image file, predicts and returns its {@link ImageResult}; writes the annotated copy when
 * `saveDir` is given. An unreadable or undecodable file throws `ImageDecodeError` naming it.
 */
export async function predictFile(model: DetectionModel, file: string, options: PredictFileOptions = {}): Promise<ImageResult> {
  const { names = classNames(model.head?.nc ?? 80), saveDir, ...opts } = options;
  const img = readImage(file);
  const p = await predictImage(model, img, opts);
  const detections = p.detections.map((d) => ({ box: d.box.map((v) => Number(v.toFixed(3))), conf: Number(d.conf.toFixed(5)), cls: d.cls, name: names[d.cls] ?? `class${d.cls}` }));
  if (saveDir !== undefined) writeImage(join(saveDir, basename(file)), drawDetections(img, p.detections, names));
  return { file, width: img.width, height: img.height, detections, speed: p.speed };
}

/** A file's outcome in a run over many: its result, or why it could not be read or decoded (naming it). */
export type FileOutcome =
  | {
      /** The image's detections. */
      result: ImageResult;
    }
  | {
      /** Why the file was skipped (the message names it). */
      error: string;
    };

/**
 * {@link predictFile}, with an unreadable or undecodable file returned as its error so that a run over many files
 * goes on; anything else throws. predictMany's workers and `plugconv predict`'s in-process loop both use it.
 */
export async function predictFileOutcome(model: DetectionModel, file: string, options: PredictFileOptions = {}): Promise<FileOutcome> {
  try {
    return { result: await predictFile(model, file, options) };
  } catch (e) {
    if (e instanceof ImageDecodeError) return { error: e.message };
    throw e;
  }
}
