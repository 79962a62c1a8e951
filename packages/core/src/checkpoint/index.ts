// The checkpoint reader's public API (browser-safe: bytes in). Internals (the allow-list's handlers, the model
// walk's helpers) stay inside the folder.
export { CheckpointError, type CheckpointErrorCode } from './errors.js';
export { PyAttribute, PyGlobal, PyObject } from './python-objects.js';
export {
  StateDictReader,
  STORAGE_DTYPES,
  TORCH_DTYPE_BYTES,
  TorchStorage,
  TorchTensor,
  checkpointTensorToTf,
  isFloatDtype,
  stateDictToTf,
  tensorToFloat32,
  toFloat32Tensor,
  type CheckpointTensor,
  type TorchDtype,
} from './tensor.js';
export { sniffWeightsFile, type WeightsFileKind } from './sniff.js';
export { DEFAULT_CHECKPOINT_LIMITS, openTorchArchive, type CheckpointLimits, type TorchArchive } from './archive.js';
export { unpickle, type UnpickleOptions } from './pickle.js';
export { ALLOWED_CALLS, CODE_MODULES } from './allow-list.js';
export { toPlain, type PlainValue } from './plain.js';
export { detectSemantics, modelTask, walkModel, type ActivationInfo, type CheckpointTask, type DetectedSemantics, type ModelWalk } from './ultralytics-model.js';
export { readCheckpoint, readTorchFile, requireTask, type Checkpoint, type ReadCheckpointOptions, type TorchFile } from './read-checkpoint.js';
