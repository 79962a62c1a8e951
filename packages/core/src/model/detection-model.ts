import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../nn/module.js';
import { Detect } from '../blocks/detect.js';
import { fromEntries, resolveFrom } from './from-index.js';
import { countingMacs } from '../flops.js';
import type { UltralyticsVersion } from '../registry/spec.js';
import { DEFAULT_ULTRALYTICS } from '../parse/semantics.js';

/** A built YAML row: the module and ultralytics' metadata (i, f, type, np, args). */
export interface LayerInfo {
  /** Row number (ultralytics' `i`). */
  index: number;
  /** Input row(s), -1 = previous (ultralytics' `f`). */
  from: number | number[];
  /** Repeats after the depth multiplier (ultralytics' `n`). */
  repeats: number;
  /** The YAML token (`C2f`, `nn.Upsample`). */
  type: string;
  /** Parameters of the row's module (ultralytics' `np`). */
  params: number;
  /** Constructor arguments after the channel rule (c1 first where the rule adds it). */
  args: unknown[];
}

/**
 * A YOLOv8 model built from YAML rows (ultralytics' DetectionModel). State keys `model.<i>.…`. Input NHWC
 * float in [0, 1]; eval output (B, 4+nc, anchors); training output the Detect head's per-level maps.
 */
export class DetectionModel extends Module<tf.Tensor, tf.Tensor | tf.Tensor[]> {
  /** The rows' modules (state keys `model.0.…`, `model.1.…`). */
  readonly model: ModuleList;
  /** Per row: what it was built from. */
  readonly info: LayerInfo[];
  /** Indices whose outputs later rows read (ultralytics' `save`). */
  readonly save: Set<number>;
  /** Name for summaries (`YOLOv8n`). */
  readonly name: string;
  /** Input channels (3 for RGB). */
  readonly inputChannels: number;
  /** Strides of the detection levels, found by a dry run at build time (`[8, 16, 32]` for YOLOv8). */
  stride: number[] = [];
  /** The ultralytics semantics the model was built with (`info --json` reports it). */
  ultralytics: UltralyticsVersion = DEFAULT_ULTRALYTICS;

  constructor(layers: Module<any, any>[], info: LayerInfo[], name: string, inputChannels = 3) {
    super();
    this.model = this.addModule('model', new ModuleList(layers));
    this.info = info;
    this.name = name;
    this.inputChannels = inputChannels;
    this.save = new Set(info.flatMap((l) => fromEntries(l.from).filter((f) => f !== -1).map((f) => resolveFrom(f, l.index))));
  }

  override get typeName(): string {
    return 'DetectionModel';
  }

  /** The Detect head (last row), if the model has one. */
  get head(): Detect | null {
    const last = this.model.items[this.model.items.length - 1];
    return last instanceof Detect ? last : null;
  }

  /** Throws naming the model unless `x` is an NHWC batch with the model's input channels. */
  private checkInput(x: tf.Tensor): void {
    if (x.rank !== 4 || x.shape[3] !== this.inputChannels) {
      throw new Error(`${this.name}: expected an NHWC batch with ${this.inputChannels} channels, got [${x.shape}]`);
    }
  }

  /**
   * Runs rows 0..upTo-1 (ultralytics' _predict_once) and returns every row's output. `release` decides what
   * lives: `keep` leaves every output to the caller's tidy (training, whose tape needs them, and the stride
   * probe); `after-last-reader` runs each row in its own tf.tidy and disposes an output once no later row reads
   * it (inference: peak memory is the live feature maps, not the whole forward; yolov8n at 640: 265 -> 93 MiB
   * measured). Errors name the row, its `from` and its input shapes.
   */
  private forwardRows(x: tf.Tensor, upTo: number, release: RowRelease): unknown[] {
    const lastReaders = release === 'after-last-reader' ? this.lastReaders() : null;
    const produced: unknown[] = [];
    const pick = (j: number) => (j < 0 ? x : produced[j]);
    for (let i = 0; i < upTo; i++) {
      const l = this.info[i]!;
      const input = Array.isArray(l.from) ? l.from.map((f) => pick(resolveFrom(f, i))) : pick(resolveFrom(l.from, i));
      const m = this.model.items[i]!;
      try {
        produced.push(lastReaders ? tf.tidy(() => m.forward(input) as tf.TensorContainer) : m.forward(input));
      } catch (e) {
        const shapes = (Array.isArray(input) ? input : [input]).map((t) => `[${(t as tf.Tensor).shape}]`).join(', ');
        throw new Error(`${this.name} row ${i} (${l.type}, from ${JSON.stringify(l.from)}, input ${shapes}): ${(e as Error).message}`);
      }
      if (lastReaders) releaseRead(produced as (tf.TensorContainer | null)[], lastReaders, i, x);
    }
    return produced;
  }

  forward(x: tf.Tensor): tf.Tensor | tf.Tensor[] {
    this.checkInput(x);
    return this.forwardRows(x, this.model.items.length, 'keep').at(-1) as tf.Tensor | tf.Tensor[];
  }

  /**
   * The shapes of the inputs the Detect head receives for an input of height x width (default square), from a
   * shape-only dry run (convolutions are not computed).
   */
  headInputShapes(height: number, width = height): number[][] {
    return countingMacs(
      () =>
        tf.tidy(() => {
          const n = this.model.items.length;
          const x = tf.zeros([1, height, width, this.inputChannels]);
          const produced = this.forwardRows(x, n - 1, 'keep');
          return fromEntries(this.info[n - 1]!.from).map((f) => {
            const j = resolveFrom(f, n - 1);
            return ((j < 0 ? x : produced[j]) as tf.Tensor).shape;
          });
        }),
      { shapeOnly: true },
    ).result;
  }

  /** The stride of each of the head's anchors for an input of height x width, in the order of its outputs. */
  anchorStrides(height: number, width = height): number[] {
    const head = this.head;
    if (!head) throw new Error(`${this.name} has no Detect head`);
    return head.anchorStrides(this.headInputShapes(height, width).map((s) => [s[1]!, s[2]!]));
  }

  /** Eval-mode inference: NHWC in, (B, 4+nc, anchors) out; intermediate feature maps are freed as soon as possible. */
  predict(x: tf.Tensor): tf.Tensor {
    this.checkInput(x);
    const wasTraining = this.training;
    if (wasTraining) this.eval();
    try {
      return this.forwardRows(x, this.model.items.length, 'after-last-reader').at(-1) as tf.Tensor;
    } finally {
      if (wasTraining) this.train();
    }
  }

  /** For each row, the last row that reads its output (a row's own index when none does). */
  private lastReaders(): number[] {
    const last = this.info.map((l) => l.index);
    for (const l of this.info) {
      for (const f of fromEntries(l.from)) {
        const j = resolveFrom(f, l.index);
        if (j >= 0) last[j] = Math.max(last[j]!, l.index);
      }
    }
    return last;
  }
}

/** What the row loop keeps alive: every output (`keep`), or each until its last reader has run. */
type RowRelease = 'keep' | 'after-last-reader';

/**
 * After row `i` ran: disposes (and nulls) every earlier output whose last reader is at most `i`. A row may pass
 * a tensor through (an identity): the caller's input and any tensor still held by another output stay alive.
 */
function releaseRead(produced: (tf.TensorContainer | null)[], lastReaders: number[], i: number, x: tf.Tensor): void {
  for (let j = 0; j < i; j++) {
    const done = produced[j];
    if (done === null || lastReaders[j]! > i) continue;
    produced[j] = null;
    for (const t of tensorsOf(done)) if (t !== x && !isHeld(produced, t)) t.dispose();
  }
}

/** Whether a row output still kept (a tensor or a list of them) is or holds `t`. Plain loops: runs per row. */
function isHeld(produced: (tf.TensorContainer | null)[], t: tf.Tensor): boolean {
  for (const p of produced) {
    if (p === t || (Array.isArray(p) && p.includes(t))) return true;
  }
  return false;
}

/** The tensors of a row output (a tensor or a list of them). */
function tensorsOf(c: tf.TensorContainer): tf.Tensor[] {
  return Array.isArray(c) ? (c as tf.Tensor[]) : [c as tf.Tensor];
}
