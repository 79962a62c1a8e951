import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../nn/module.js';
import { Detect } from '../blocks/detect.js';
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
    this.save = new Set(info.flatMap((l) => (Array.isArray(l.from) ? l.from : [l.from]).filter((f) => f !== -1).map((f) => (f < 0 ? f + l.index : f))));
  }

  override get typeName(): string {
    return 'DetectionModel';
  }

  /** The Detect head (last row), if the model has one. */
  get head(): Detect | null {
    const last = this.model.items[this.model.items.length - 1];
    return last instanceof Detect ? last : null;
  }

  /** Runs rows 0..upTo-1 and returns every output that is saved or last (ultralytics' _predict_once). */
  private run(x: tf.Tensor, upTo: number): { last: unknown; outputs: unknown[] } {
    const outputs: unknown[] = [];
    let cur: unknown = x;
    for (let i = 0; i < upTo; i++) {
      const m = this.model.items[i]!;
      const f = this.info[i]!.from;
      if (f !== -1) cur = Array.isArray(f) ? f.map((j) => (j === -1 ? cur : outputs[j < 0 ? j + i : j])) : outputs[f < 0 ? f + i : f];
      try {
        cur = m.forward(cur);
      } catch (e) {
        const l = this.info[i]!;
        const shapes = (Array.isArray(cur) ? cur : [cur]).map((t) => `[${(t as tf.Tensor).shape}]`).join(', ');
        throw new Error(`${this.name} row ${i} (${l.type}, from ${JSON.stringify(l.from)}, input ${shapes}): ${(e as Error).message}`);
      }
      outputs.push(this.save.has(i) ? cur : null);
    }
    return { last: cur, outputs };
  }

  forward(x: tf.Tensor): tf.Tensor | tf.Tensor[] {
    if (x.rank !== 4 || x.shape[3] !== this.inputChannels) {
      throw new Error(`${this.name}: expected an NHWC batch with ${this.inputChannels} channels, got [${x.shape}]`);
    }
    return this.run(x, this.model.items.length).last as tf.Tensor | tf.Tensor[];
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
          const head = this.info[n - 1]!;
          const x = tf.zeros([1, height, width, this.inputChannels]);
          const { outputs, last } = this.run(x, n - 1);
          const f = head.from;
          const pick = (j: number) => (j === -1 ? last : outputs[j < 0 ? j + n - 1 : j]) as tf.Tensor;
          return (Array.isArray(f) ? f.map(pick) : [pick(f)]).map((t) => t.shape);
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
    const wasTraining = this.training;
    if (wasTraining) this.eval();
    try {
      return this.runReleasing(x) as tf.Tensor;
    } finally {
      if (wasTraining) this.train();
    }
  }

  /** For each row, the last row that reads its output (a row's own index when none does). */
  private lastReaders(): number[] {
    const last = this.info.map((l) => l.index);
    for (const l of this.info) {
      const froms = Array.isArray(l.from) ? l.from : [l.from];
      for (const f of froms) {
        const j = f === -1 ? l.index - 1 : f < 0 ? f + l.index : f;
        if (j >= 0) last[j] = Math.max(last[j]!, l.index);
      }
    }
    return last;
  }

  /**
   * Eval inference row by row, each row in its own tf.tidy, freeing every row's output once no later row reads
   * it: peak memory is the live feature maps, not the whole forward (yolov8n at 640: 265 -> 93 MiB measured).
   */
  private runReleasing(x: tf.Tensor): tf.TensorContainer {
    if (x.rank !== 4 || x.shape[3] !== this.inputChannels) {
      throw new Error(`${this.name}: expected an NHWC batch with ${this.inputChannels} channels, got [${x.shape}]`);
    }
    const last = this.lastReaders();
    const produced: (tf.TensorContainer | null)[] = [];
    const n = this.model.items.length;
    for (let i = 0; i < n; i++) {
      const f = this.info[i]!.from;
      const pick = (j: number) => (j === -1 ? (i === 0 ? x : produced[i - 1]) : produced[j < 0 ? j + i : j]);
      const input = Array.isArray(f) ? f.map(pick) : pick(f);
      let y: tf.TensorContainer;
      try {
        y = tf.tidy(() => this.model.items[i]!.forward(input) as tf.TensorContainer);
      } catch (e) {
        const l = this.info[i]!;
        const shapes = (Array.isArray(input) ? input : [input]).map((t) => `[${(t as tf.Tensor).shape}]`).join(', ');
        throw new Error(`${this.name} row ${i} (${l.type}, from ${JSON.stringify(l.from)}, input ${shapes}): ${(e as Error).message}`);
      }
      produced.push(y);
      for (let j = 0; j < i; j++) {
        if (produced[j] === null || last[j]! > i) continue;
        // a row may pass a tensor through (an identity): never free the caller's input or a tensor still held
        const alive = new Set<tf.Tensor>([x, ...produced.flatMap((p, k) => (k !== j && p !== null ? tensorsOf(p) : []))]);
        tf.dispose(tensorsOf(produced[j]!).filter((t) => !alive.has(t)));
        produced[j] = null;
      }
    }
    return produced[n - 1]!;
  }

}

/** The tensors of a row output (a tensor or a list of them). */
function tensorsOf(c: tf.TensorContainer): tf.Tensor[] {
  return Array.isArray(c) ? (c as tf.Tensor[]) : [c as tf.Tensor];
}
