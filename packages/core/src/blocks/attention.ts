import * as tf from '@tensorflow/tfjs-core';
import { Module, Sequential } from '../nn/module.js';
import { countMacs, isCountingMacs, isShapeOnly, numel } from '../flops.js';
import { Conv } from './conv.js';
import { ChannelPieces, chunkSizes } from './channel-pieces.js';
import { activeBackend } from '../ops/active-backend.js';

/**
 * Scaled dot-product attention over groups: q, k (G..., N, dk) and v (G..., N, dv) give
 * softmax((q * scale) k^T) v, (G..., N, dv), the softmax over the keys. Counts both matmuls,
 * G*N*N*(dk + dv) MACs; while counting shape-only it returns zeros without computing.
 */
export function scaledDotAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number): tf.Tensor {
  const n = q.shape[q.rank - 2]!;
  const groups = numel(q.shape.slice(0, -2));
  const dk = q.shape[q.rank - 1]!;
  const dv = v.shape[v.rank - 1]!;
  if (isCountingMacs()) {
    countMacs(groups * n * n * dk, 'matmul');
    countMacs(groups * n * n * dv, 'matmul');
  }
  if (isShapeOnly()) return tf.zeros([...v.shape.slice(0, -1), dv]);
  if (activeBackend() === 'wasm') return attendEachGroup(q, k, v, scale);
  const attn = tf.softmax(tf.matMul(tf.mul(q, scale), k, false, true));
  return tf.matMul(attn, v);
}

/**
 * {@link scaledDotAttention} one group (head) at a time with plain 2-D matrix products: tfjs-backend-wasm runs a
 * rank-2 product without transposes through XNNPACK, while a batched or transposed one takes a scalar loop
 * (C2PSA at 20x20, 2 heads: 10-20x slower; measured, see packages/yolo/BENCHMARK.md). k is transposed once for
 * every group; the products are the same, only their grouping differs.
 */
function attendEachGroup(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number): tf.Tensor {
  const [n, dk, dv] = [q.shape[q.rank - 2]!, q.shape[q.rank - 1]!, v.shape[v.rank - 1]!];
  const qs = tf.unstack(tf.reshape(tf.mul(q, scale), [-1, n, dk]));
  const kts = tf.unstack(tf.transpose(tf.reshape(k, [-1, n, dk]), [0, 2, 1]));
  const vs = tf.unstack(tf.reshape(v, [-1, n, dv]));
  const out = qs.map((qi, i) => tf.matMul(tf.softmax(tf.matMul(qi, kts[i]!)), vs[i]!));
  return tf.reshape(tf.stack(out), [...v.shape.slice(0, -1), dv]);
}

/** (B, N, heads, d) -> (B, heads, N, d). */
function headsFirst(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, [0, 2, 1, 3]);
}

/**
 * Multi-head self-attention over NHWC positions with a positional depthwise conv: qkv splits into
 * [q, k, v] per head, the attended values are restored to NHWC (head-major channels) and the attention is
 * added to pe(v); then proj. Shared by {@link Attention} (one group of H*W positions) and area attention
 * (`areas` row strips of the map, each attended on its own).
 */
export function attendPositions(
  x: tf.Tensor,
  layers: {
    /** 1x1 Conv to heads * (2 * keyDim + headDim) channels, no activation. */
    qkv: Module;
    /** Depthwise positional conv over v, no activation. */
    pe: Module;
    /** 1x1 output projection, no activation. */
    proj: Module;
  },
  heads: number,
  keyDim: number,
  headDim: number,
  areas = 1,
): tf.Tensor {
  const [b, h, w] = x.shape as number[];
  const n = h! * w!;
  if (n % areas !== 0) throw new Error(`area attention: ${h}x${w} = ${n} positions do not split into ${areas} areas`);
  const qkv = tf.reshape(layers.qkv.forward(x), [b! * areas, n / areas, heads, 2 * keyDim + headDim]);
  const [q, k, v] = tf.split(qkv, [keyDim, keyDim, headDim], 3);
  const out = scaledDotAttention(headsFirst(q!), headsFirst(k!), headsFirst(v!), keyDim ** -0.5);
  const c = heads * headDim;
  const attended = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b!, h!, w!, c]);
  return layers.proj.forward(tf.add(attended, layers.pe.forward(tf.reshape(v!, [b!, h!, w!, c]))));
}

/**
 * ultralytics' Attention(dim, num_heads=8, attn_ratio=0.5): head_dim = dim // heads, key_dim = int(head_dim *
 * attn_ratio); qkv Conv(dim, dim + 2 * heads * key_dim, 1, act=False), pe Conv(dim, dim, 3, g=dim,
 * act=False), proj Conv(dim, dim, 1, act=False). Keys qkv.*, proj.*, pe.*.
 */
export class Attention extends Module {
  /** Number of heads. */
  readonly numHeads: number;
  /** Channels per head of v (dim // heads). */
  readonly headDim: number;
  /** Channels per head of q and k (int(head_dim * attn_ratio)). */
  readonly keyDim: number;
  /** 1x1 Conv producing q, k and v, no activation. */
  readonly qkv: Conv;
  /** 1x1 output projection, no activation. */
  readonly proj: Conv;
  /** 3x3 depthwise positional encoding of v, no activation. */
  readonly pe: Conv;
  constructor(dim: number, numHeads = 8, attnRatio = 0.5) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || dim % numHeads !== 0) {
      throw new Error(`Attention: dim ${dim} must split into num_heads ${numHeads} equal heads`);
    }
    this.numHeads = numHeads;
    this.headDim = Math.trunc(dim / numHeads);
    this.keyDim = Math.trunc(this.headDim * attnRatio);
    this.qkv = this.addModule('qkv', new Conv(dim, dim + 2 * this.keyDim * numHeads, 1, 1, null, 1, 1, false));
    this.proj = this.addModule('proj', new Conv(dim, dim, 1, 1, null, 1, 1, false));
    this.pe = this.addModule('pe', new Conv(dim, dim, 3, 1, null, dim, 1, false));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return attendPositions(x, this, this.numHeads, this.keyDim, this.headDim);
  }
}

/**
 * ultralytics' PSABlock(c, attn_ratio=0.5, num_heads=4, shortcut=True): x + attn(x), then x + ffn(x) with ffn =
 * Conv(c, 2c, 1), Conv(2c, c, 1, act=False) (no additions without `shortcut`). Keys attn.*, ffn.0.*, ffn.1.*.
 */
export class PSABlock extends Module {
  /** The multi-head attention. */
  readonly attn: Attention;
  /** The feed-forward pair of 1x1 Convs. */
  readonly ffn: Sequential;
  /** Whether both residual additions are made. */
  readonly add: boolean;
  constructor(c: number, attnRatio = 0.5, numHeads = 4, shortcut = true) {
    super();
    this.attn = this.addModule('attn', new Attention(c, numHeads, attnRatio));
    this.ffn = this.addModule('ffn', new Sequential(new Conv(c, c * 2, 1), new Conv(c * 2, c, 1, 1, null, 1, 1, false)));
    this.add = shortcut;
  }
  forward(x: tf.Tensor): tf.Tensor {
    const a = this.attn.forward(x);
    const y = this.add ? tf.add(x, a) : a;
    const f = this.ffn.forward(y);
    return this.add ? tf.add(y, f) : f;
  }
}

/**
 * ultralytics' C2PSA(c1, c2, n=1, e=0.5), c1 == c2: cv1 Conv(c1, 2c, 1) split into (a, b), b through n
 * PSABlock(c, 0.5, c // 64), cv2 Conv(2c, c1, 1) over cat(a, b); c = int(c1 * e). Keys cv1, cv2, m.0.…
 */
export class C2PSA extends Module {
  /** Hidden width int(c1 * e). */
  readonly c: number;
  /** Entry 1x1 Conv(c1, 2c). */
  readonly cv1: Conv;
  /** Exit 1x1 Conv(2c, c1). */
  readonly cv2: Conv;
  /** The n PSABlocks on the second half. */
  readonly m: Sequential;
  private readonly pieces = new ChannelPieces();
  constructor(c1: number, c2: number, n = 1, e = 0.5) {
    super();
    if (c1 !== c2) throw new Error(`C2PSA keeps its input width: c1 must equal c2, got c1=${c1}, c2=${c2}`);
    this.c = Math.trunc(c1 * e);
    this.cv1 = this.addModule('cv1', new Conv(c1, 2 * this.c, 1, 1));
    this.cv2 = this.addModule('cv2', new Conv(2 * this.c, c1, 1));
    this.m = this.addModule('m', new Sequential(...Array.from({ length: n }, () => new PSABlock(this.c, 0.5, Math.trunc(this.c / 64)))));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const [a, b] = this.pieces.split(this.cv1, x, chunkSizes(2 * this.c, 2));
    return this.pieces.concat(this.cv2, [a!, this.m.forward(b!)]);
  }

  override dispose(): void {
    super.dispose();
    this.pieces.dispose();
  }
}
