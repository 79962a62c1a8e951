/** What went wrong with a checkpoint file, for callers that react per case (the CLI maps each to exit code 2). */
export type CheckpointErrorCode =
  /** The file has no bytes. */
  | 'empty'
  /** Not a torch.save zip: another format (named in the message) or unknown bytes. */
  | 'not-a-checkpoint'
  /** A torch.save file of the pre-1.6, non-zip format. */
  | 'legacy-format'
  /** A safetensors file where a .pt was expected. */
  | 'safetensors'
  /** A TorchScript archive (torch.jit.save), which holds code, not a checkpoint. */
  | 'torchscript'
  /** A zip cut short, or one whose records point past its end. */
  | 'truncated'
  /** A zip that is damaged or uses a feature the reader does not handle. */
  | 'bad-zip'
  /** data.pkl is not a valid pickle, or holds a structure torch.save never writes. */
  | 'bad-pickle'
  /** The pickle names or calls code outside the reader's allow-list. */
  | 'refused-global'
  /** A tensor or storage that does not fit: storage shorter than its tensor, unsupported dtype, bad strides. */
  | 'bad-tensor'
  /** A size over the reader's limits, refused before allocating. */
  | 'too-large'
  /** A torch.save file with no model in it (no `model` or `ema`, and not a state dict). */
  | 'no-model'
  /** A model of another task than the one required (e.g. a classification checkpoint where detect is needed). */
  | 'wrong-task';

/**
 * A checkpoint that cannot be read, or that is refused; the message says what the file is and what to do, and
 * names the file (`source`).
 */
export class CheckpointError extends Error {
  /** The error's class name. */
  override name = 'CheckpointError';
  constructor(
    /** Which case this is. */
    readonly code: CheckpointErrorCode,
    /** The file (path or name) the error is about. */
    readonly source: string,
    message: string,
  ) {
    super(message);
  }
}
