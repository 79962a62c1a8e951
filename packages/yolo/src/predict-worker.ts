// A predictMany worker (a piscina worker thread): builds its model once, on its first task, then predicts one
// image file per task. Built to dist/predict-worker.js, then bundled with everything it imports (scripts/
// bundle-worker.mjs) into dist/predict-worker.bundle.js beside predict-many.js, which loads it by URL.
import { useNodeBackend } from './node-backends.js';
import { loadPredictModel, type PredictModel, type PredictModelSource } from './predict/model-source.js';
import { predictFileOutcome, type FileOutcome, type PredictFileOptions } from './predict/predict-file.js';

/** One task: the model (the same in every task of a run), the backend, the predict options and the file. */
export interface PredictTask {
  source: PredictModelSource;
  backend: string;
  options: PredictFileOptions;
  file: string;
}

/** A task's outcome: the image's result, or why its file could not be read (the run goes on). */
export type PredictTaskResult = FileOutcome;

let loaded: { key: string; model: Promise<PredictModel> } | undefined;

/** The worker's model for a source: built on the first task, kept for the next ones. */
function workerModel(source: PredictModelSource, backend: string): Promise<PredictModel> {
  const key = JSON.stringify([source, backend]);
  if (loaded?.key !== key) {
    const previous = loaded?.model;
    loaded = {
      key,
      model: (async () => {
        (await previous?.catch(() => undefined))?.model.dispose();
        await useNodeBackend(backend);
        return loadPredictModel(source);
      })(),
    };
  }
  return loaded.model;
}

/** Predicts one file; an unreadable or undecodable image is returned as an error, anything else throws. */
export default async function predictTask(task: PredictTask): Promise<PredictTaskResult> {
  const { model, names } = await workerModel(task.source, task.backend);
  return predictFileOutcome(model, task.file, { ...(names ? { names } : {}), ...task.options });
}
