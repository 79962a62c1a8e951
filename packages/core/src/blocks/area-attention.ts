import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList, Sequential } from '../nn/module.js';
import { Conv } from './conv.js';
import { attendPositions } from './attention.js';
import { C3k } from './c3k2.js';
import { ChannelPieces } from './channel-pieces.js';

/**
 * ultralytics' AAttn(dim, num_heads, area=1), area attention: the H*W positions (row-major) split into `area`
 * contiguous strips, each attended on its own. head_dim = dim // heads; qkv Conv(dim, 3 * heads * head_dim, 1,
 * act=False) split per head as [q, k, v]; pe a 7x7 depthwise Conv on v (act=False); proj Conv(heads *
 * head_dim, dim, 1, act=False). Keys qkv.*, proj.*, pe.*. The map's H*W must divide into `area` strips.
 */
export class AAttn extends Module {
  /** Number of strips the positions are split into (1 = global attention). */
  readonly area: number;
  /** Number of heads. */
  readonly numHeads: number;
  /** Channels per head (dim // heads). */
  readonly headDim: number;
  /** 1x1 Conv producing q, k and v, no activation. */
  readonly qkv: Conv;
  /** 1x1 output projection, no activation. */
  readonly proj: Conv;
  /** 7x7 depthwise positional encoding of v, no activation. */
  readonly pe: Conv;
  constructor(dim: number, numHeads: number, area = 1) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || numHeads > dim) throw new Error(`AAttn: num_heads must be an integer in 1..${dim}, got ${numHeads}`);
    this.area = Math.max(area, 1);
    this.numHeads = numHeads;
    this.headDim = Math.trunc(dim / numHeads);
    const all = this.headDim * numHeads;
    this.qkv = this.addModule('qkv', new Conv(dim, all * 3, 1, 1, null, 1, 1, false));
    this.proj = this.addModule('proj', new Conv(all, dim, 1, 1, null, 1, 1, false));
    this.pe = this.addModule('pe', new Conv(all, all, 7, 1, 3, all, 1, false));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return attendPositions(x, this, this.numHeads, this.headDim, this.headDim, this.area);
  }
}

/**
 * ultralytics' ABlock(dim, num_heads, mlp_ratio=1.2, area=1): x + attn(x), then x + mlp(x) with mlp =
 * Conv(dim, int(dim * mlp_ratio), 1), Conv(hidden, dim, 1, act=False). Keys attn.*, mlp.0.*, mlp.1.*.
 */
export class ABlock extends Module {
  /** The area attention. */
  readonly attn: AAttn;
  /** The pair of 1x1 Convs. */
  readonly mlp: Sequential;
  constructor(dim: number, numHeads: number, mlpRatio = 1.2, area = 1) {
    super();
    this.attn = this.addModule('attn', new AAttn(dim, numHeads, area));
    const hidden = Math.trunc(dim * mlpRatio);
    this.mlp = this.addModule('mlp', new Sequential(new Conv(dim, hidden, 1), new Conv(hidden, dim, 1, 1, null, 1, 1, false)));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = tf.add(x, this.attn.forward(x));
    return tf.add(y, this.mlp.forward(y));
  }
}

/**
 * ultralytics' A2C2f(c1, c2, n=1, a2=True, area=1, residual=False, mlp_ratio=2.0, e=0.5, g=1, shortcut=True):
 * cv1 Conv(c1, c_, 1) with c_ = int(c2 * e) a multiple of 32, n blocks chained (each two ABlock(c_, c_ // 32,
 * mlp_ratio, area) when `a2`, else C3k(c_, c_, 2, shortcut, g)), cv2 Conv((1 + n) c_, c2, 1) over every
 * output; with `a2` and `residual`, x + gamma * y (gamma: c2 values, key `gamma`, initialised to 0.01).
 */
export class A2C2f extends Module {
  /** Entry 1x1 Conv(c1, c_). */
  readonly cv1: Conv;
  /** Exit 1x1 Conv((1 + n) c_, c2). */
  readonly cv2: Conv;
  /** Per-channel scale of the residual branch (a2 and residual), or null. */
  readonly gamma: tf.Variable | null;
  /** The n blocks (key prefix `m.0.`, ...). */
  readonly m: ModuleList;
  private readonly pieces = new ChannelPieces();
  constructor(c1: number, c2: number, n = 1, a2 = true, area = 1, residual = false, mlpRatio = 2.0, e = 0.5, g = 1, shortcut = true) {
    super();
    const c = Math.trunc(c2 * e);
    if (c % 32 !== 0) throw new Error(`A2C2f: hidden width int(c2*e) = int(${c2}*${e}) = ${c} is not a multiple of 32 (area attention uses heads of 32 channels)`);
    const scaled = a2 && residual;
    if (scaled && c1 !== c2) throw new Error(`A2C2f with a2 and residual adds its input: c1 must equal c2, got c1=${c1}, c2=${c2}`);
    this.cv1 = this.addModule('cv1', new Conv(c1, c, 1, 1));
    this.cv2 = this.addModule('cv2', new Conv((1 + n) * c, c2, 1));
    this.gamma = scaled ? this.addParameter('gamma', tf.fill([c2], 0.01)) : null;
    const block = () => (a2 ? new Sequential(new ABlock(c, Math.trunc(c / 32), mlpRatio, area), new ABlock(c, Math.trunc(c / 32), mlpRatio, area)) : new C3k(c, c, 2, shortcut, g));
    this.m = this.addModule('m', new ModuleList(Array.from({ length: n }, block)));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = [this.cv1.forward(x)];
    for (const m of this.m.items) y.push(m.forward(y[y.length - 1]!));
    const out = this.pieces.concat(this.cv2, y);
    return this.gamma ? tf.add(x, tf.mul(this.gamma, out)) : out;
  }

  override dispose(): void {
    super.dispose();
    this.pieces.dispose();
  }
}
