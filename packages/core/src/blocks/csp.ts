import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList, Sequential } from '../nn/module.js';
import { Conv } from './conv.js';
import { ChannelPieces, chunkSizes } from './channel-pieces.js';
import { splitChannels } from '../ops/channels.js';
import { releaseIntermediate } from '../ops/release.js';

/**
 * The residual pair of ultralytics' Bottleneck and of every module package's variant of it: cv2(cv1(x)), plus
 * x when `add`. Keys cv1.*, cv2.*. Variants pass their own two convs.
 */
export class BottleneckBase<A extends Module = Module, B extends Module = Module> extends Module {
  /** The first conv (c1 -> c_). */
  readonly cv1: A;
  /** The second conv (c_ -> c2). */
  readonly cv2: B;
  /** Whether the input is added to the output (shortcut requested and c1 == c2). */
  readonly add: boolean;
  constructor(cv1: A, cv2: B, add: boolean) {
    super();
    this.cv1 = this.addModule('cv1', cv1);
    this.cv2 = this.addModule('cv2', cv2);
    this.add = add;
  }
  forward(x: tf.Tensor): tf.Tensor {
    const h = this.cv1.forward(x) as tf.Tensor;
    const y = this.cv2.forward(h) as tf.Tensor;
    releaseIntermediate(h, y, x);
    if (!this.add) return y;
    const out = tf.add(x, y);
    releaseIntermediate(y, out);
    return out;
  }
}

/** ultralytics' Bottleneck(c1, c2, shortcut=True, g=1, k=(3, 3), e=0.5): Conv(c1, c_, k[0]), Conv(c_, c2, k[1], g), c_ = int(c2*e). */
export class Bottleneck extends BottleneckBase<Conv, Conv> {
  constructor(c1: number, c2: number, shortcut = true, g = 1, k: [number, number] = [3, 3], e = 0.5) {
    const c = Math.trunc(c2 * e);
    super(new Conv(c1, c, k[0], 1), new Conv(c, c2, k[1], 1, null, g), shortcut && c1 === c2);
  }
}

/** Splits NHWC channels into two halves (PyTorch's chunk(2, 1)). */
export function chunk2(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const sizes = chunkSizes(x.shape[x.rank - 1]!, 2);
  const [a, b] = x.rank === 4 ? splitChannels(x, sizes) : tf.split(x, sizes, x.rank - 1);
  return [a!, b!];
}

/**
 * The C2f skeleton: cv1 Conv(c1, 2c, 1), a chain of n inner blocks on the second half, cv2 Conv((2+n)c, c2, 1),
 * c = int(c2 * e). Module packages build C2f variants by passing their own inner block (and cv1/cv2 makers).
 */
export class C2fBase extends Module {
  /** Hidden width c = int(c2 * e): each half of cv1's output and each inner block's width. */
  readonly c: number;
  /** The entry 1x1 conv, c1 -> 2c, whose output is split into two halves. */
  readonly cv1: Module;
  /** The exit 1x1 conv over every concatenated piece, (2+n)c -> c2. */
  readonly cv2: Module;
  /** The n inner blocks, chained on the second half (key prefix `m.0.`, `m.1.`, ...). */
  readonly m: ModuleList;
  /** cv1's split and cv2's concat, folded into them once deployed. */
  protected readonly pieces = new ChannelPieces();
  constructor(
    c1: number,
    c2: number,
    n: number,
    e: number,
    makeInner: (c: number, index: number) => Module,
    makeConv: (cin: number, cout: number) => Module = (cin, cout) => new Conv(cin, cout, 1, 1),
  ) {
    super();
    this.c = Math.trunc(c2 * e);
    this.cv1 = this.addModule('cv1', makeConv(c1, 2 * this.c));
    this.cv2 = this.addModule('cv2', makeConv((2 + n) * this.c, c2));
    this.m = this.addModule('m', new ModuleList(Array.from({ length: n }, (_, i) => makeInner(this.c, i))));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = this.pieces.split(this.cv1, x, chunkSizes(2 * this.c, 2));
    for (const m of this.m.items) y.push(m.forward(y[y.length - 1]!));
    return this.pieces.concat(this.cv2, y);
  }

  override dispose(): void {
    super.dispose();
    this.pieces.dispose();
  }
}

/** ultralytics' C2f(c1, c2, n=1, shortcut=False, g=1, e=0.5). */
export class C2f extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5) {
    super(c1, c2, n, e, (c) => new Bottleneck(c, c, shortcut, g, [3, 3], 1.0));
  }
}

/** ultralytics' C2(c1, c2, n=1, shortcut=True, g=1, e=0.5) (used by yolov8-p6's head). */
export class C2 extends Module {
  /** Entry 1x1 Conv(c1, 2c), split into two halves. */
  readonly cv1: Conv;
  /** Exit 1x1 Conv(2c, c2) over the processed and the passed-through half. */
  readonly cv2: Conv;
  /** The n Bottlenecks applied to the first half. */
  readonly m: Sequential;
  private readonly pieces = new ChannelPieces();
  constructor(c1: number, c2: number, n = 1, shortcut = true, g = 1, e = 0.5) {
    super();
    const c = Math.trunc(c2 * e);
    this.cv1 = this.addModule('cv1', new Conv(c1, 2 * c, 1, 1));
    this.cv2 = this.addModule('cv2', new Conv(2 * c, c2, 1));
    this.m = this.addModule('m', new Sequential(...Array.from({ length: n }, () => new Bottleneck(c, c, shortcut, g, [3, 3], 1.0))));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const [a, b] = this.pieces.split(this.cv1, x, chunkSizes(this.cv1.conv.cout, 2));
    return this.pieces.concat(this.cv2, [this.m.forward(a!), b!]);
  }

  override dispose(): void {
    super.dispose();
    this.pieces.dispose();
  }
}

/** ultralytics' C3(c1, c2, n=1, shortcut=True, g=1, e=0.5); `makeInner` lets C3Ghost swap the bottleneck. */
export class C3 extends Module {
  /** 1x1 Conv(c1, c) feeding the bottleneck chain. */
  readonly cv1: Conv;
  /** 1x1 Conv(c1, c), the bypass branch. */
  readonly cv2: Conv;
  /** Exit 1x1 Conv(2c, c2) over both branches. */
  readonly cv3: Conv;
  /** The n inner blocks (Bottleneck(c, c, k=(1, 3)), or `makeInner`'s). */
  readonly m: Sequential;
  private readonly pieces = new ChannelPieces();
  constructor(c1: number, c2: number, n = 1, shortcut = true, g = 1, e = 0.5, makeInner?: (c: number) => Module) {
    super();
    const c = Math.trunc(c2 * e);
    this.cv1 = this.addModule('cv1', new Conv(c1, c, 1, 1));
    this.cv2 = this.addModule('cv2', new Conv(c1, c, 1, 1));
    this.cv3 = this.addModule('cv3', new Conv(2 * c, c2, 1));
    const inner = makeInner ?? ((ch: number) => new Bottleneck(ch, ch, shortcut, g, [1, 3], 1.0));
    this.m = this.addModule('m', new Sequential(...Array.from({ length: n }, () => inner(c))));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.pieces.concat(this.cv3, [this.m.forward(this.cv1.forward(x)), this.cv2.forward(x)]);
  }

  override dispose(): void {
    super.dispose();
    this.pieces.dispose();
  }
}
