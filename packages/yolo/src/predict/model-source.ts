// The model a predict run uses, described by plain data (so a worker thread can build its own copy): an
// ultralytics checkpoint, or a YAML config (path or shipped name) with its weights.
import { deploy, withoutRandomInit, type DetectionModel, type UltralyticsVersion } from '@plugconv/core';
import { readSafetensorsFileMetadata } from '@plugconv/core/node';
import { isWeightsFile, loadCheckpointFile, requireFile, weightsFileKind } from '../checkpoint-file.js';
import { loadModel } from '../configs.js';
import { UsageError } from '../usage-error.js';
import { namesFromValue } from './class-names.js';
import { WeightsError } from './weights.js';
import { loadWeights } from './weights-file.js';

/** What to predict with, as plain data: the same model is built from it in every worker. */
export interface PredictModelSource {
  /** An ultralytics checkpoint (best.pt), or a YAML config: a path or a shipped name (`yolov8n.yaml`). */
  model: string;
  /** Weights of a YAML config (required with one): a .safetensors state dict or a .pt; refused with a checkpoint. */
  weights?: string;
  /** Scale of a YAML config (n, s, m, l, x, t). */
  scale?: string;
  /** Build with this release's semantics (default: the checkpoint's, else the YAML's, else 8.4). */
  ultralytics?: UltralyticsVersion;
  /** Class names (default: the checkpoint's, else the safetensors weights', else none). */
  names?: string[];
  /**
   * Deploy the model before predicting (default true): every module re-parameterised and Conv+BN folded, as
   * ultralytics' predictor fuses its model. The detections are the as-built model's within the parity
   * tolerance; pass false to predict with the model as built.
   */
  deploy?: boolean;
}

/** A model built from a {@link PredictModelSource}, with what came with it. */
export interface PredictModel {
  /** The built model, weights loaded (deployed unless the source says `deploy: false`). */
  model: DetectionModel;
  /** Class names, when the source gives them. */
  names?: string[];
  /** The checkpoint's training imgsz, else 640. */
  imgsz: number;
  /** The file the weights came from: the checkpoint itself, or `weights`. */
  weights: string;
}

/** The class names a safetensors file records (`plugconv convert` writes them), if any. */
function safetensorsNames(path: string): string[] | undefined {
  if (weightsFileKind(path) !== 'safetensors') return undefined;
  const meta = readSafetensorsFileMetadata(path);
  try {
    return meta.names ? namesFromValue(JSON.parse(meta.names)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the model of a predict run: a checkpoint with its weights, names and imgsz, or a YAML config with its
 * weights (required: a fresh initialisation would differ from worker to worker), deployed for inference unless
 * `deploy: false`. Mistakes are
 * {@link UsageError}s naming the file.
 */
export function loadPredictModel(src: PredictModelSource, warn: (m: string) => void = () => {}): PredictModel {
  const { ultralytics, names: given } = src;
  if (isWeightsFile(src.model)) {
    if (src.weights) throw new UsageError(`--weights is for a YAML config: ${src.model} is a checkpoint and holds its own weights`);
    const loaded = loadCheckpointFile(src.model, { ...(ultralytics ? { ultralytics } : {}), ...(given ? { names: given } : {}), warn });
    return { model: forPredict(loaded.model, src), names: loaded.names, imgsz: loaded.imgsz ?? 640, weights: src.model };
  }
  if (!src.weights) throw new UsageError(`--weights FILE is required with a YAML config (${src.model}); or give an ultralytics checkpoint (best.pt) as the model`);
  requireFile(src.weights, '--weights');
  // every weight is loaded next (a missing key is an error): no random draw first
  const model = withoutRandomInit(() => loadModel(src.model, { ...(src.scale ? { scale: src.scale } : {}), ...(ultralytics ? { ultralytics } : {}), warn }));
  try {
    loadWeights(model, src.weights);
  } catch (e) {
    model.dispose();
    throw e instanceof WeightsError ? new UsageError(e.message) : e;
  }
  const names = given ?? safetensorsNames(src.weights);
  return { model: forPredict(model, src), ...(names ? { names } : {}), imgsz: 640, weights: src.weights };
}

/** The model as a predict run uses it: deployed unless the source opts out. */
function forPredict(model: DetectionModel, src: PredictModelSource): DetectionModel {
  return src.deploy === false ? model : deploy(model);
}
