// Float64 references written out from PyTorch's and torchvision's definitions (NCHW / OIHW), for checking
// modules where no PyTorch fixture exists (other dilations, strides, odd sizes, SE variants). They share no
// code with tfjs, so a bug in tfjs or in our layers cannot hide in both.

/** Deterministic pseudo-random values in [lo, hi) (an LCG), so failures reproduce. */
export function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

/** An NCHW tensor as a flat float64 array with its shape. */
export interface Nchw {
  data: Float64Array;
  shape: [number, number, number, number];
}

/** F.conv2d(x, w, stride, padding, dilation, groups) without bias. */
export function conv2d(x: Nchw, w: ArrayLike<number>, cout: number, k: number, stride: number, padding: number, dilation: number, groups: number): Nchw {
  const [b, cin, h, wd] = x.shape;
  const ho = Math.floor((h + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
  const wo = Math.floor((wd + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
  const ipg = cin / groups;
  const opg = cout / groups;
  const out = new Float64Array(b * cout * ho * wo);
  for (let n = 0; n < b; n++)
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < ho; i++)
        for (let j = 0; j < wo; j++) {
          let acc = 0;
          for (let ci = 0; ci < ipg; ci++) {
            const c = Math.floor(o / opg) * ipg + ci;
            for (let a = 0; a < k; a++) {
              const y = i * stride + a * dilation - padding;
              if (y < 0 || y >= h) continue;
              for (let bb = 0; bb < k; bb++) {
                const xx = j * stride + bb * dilation - padding;
                if (xx < 0 || xx >= wd) continue;
                acc += x.data[((n * cin + c) * h + y) * wd + xx]! * w[((o * ipg + ci) * k + a) * k + bb]!;
              }
            }
          }
          out[((n * cout + o) * ho + i) * wo + j] = acc;
        }
  return { data: out, shape: [b, cout, ho, wo] };
}

/** Eval-mode BatchNorm2d. */
export function batchNorm(x: Nchw, weight: ArrayLike<number>, bias: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, eps: number): Nchw {
  const [b, c, h, w] = x.shape;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < b; n++)
    for (let ch = 0; ch < c; ch++) {
      const scale = weight[ch]! / Math.sqrt(variance[ch]! + eps);
      for (let i = 0; i < h * w; i++) {
        const at = (n * c + ch) * h * w + i;
        out[at] = (x.data[at]! - mean[ch]!) * scale + bias[ch]!;
      }
    }
  return { data: out, shape: x.shape };
}

/** x * sigmoid(x). */
export function silu(x: Nchw): Nchw {
  return { data: x.data.map((v) => v / (1 + Math.exp(-v))), shape: x.shape };
}

const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);

/** F.hardswish: x * relu6(x + 3) / 6. */
export function hardswish(x: Nchw): Nchw {
  return { data: x.data.map((v) => (v * relu6(v + 3)) / 6), shape: x.shape };
}

/** F.hardsigmoid: relu6(x + 3) / 6. */
export function hardsigmoid(x: Nchw): Nchw {
  return { data: x.data.map((v) => relu6(v + 3) / 6), shape: x.shape };
}

/** F.relu. */
export function relu(x: Nchw): Nchw {
  return { data: x.data.map((v) => Math.max(v, 0)), shape: x.shape };
}

/** Adds a per-channel bias (conv bias). */
export function addBias(x: Nchw, bias: ArrayLike<number>): Nchw {
  const [b, c, h, w] = x.shape;
  const out = Float64Array.from(x.data);
  for (let n = 0; n < b; n++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[(n * c + ch) * h * w + i]! += bias[ch]!;
  return { data: out, shape: x.shape };
}

/** AdaptiveAvgPool2d(1). */
export function globalAvgPool(x: Nchw): Nchw {
  const [b, c, h, w] = x.shape;
  const out = new Float64Array(b * c);
  for (let i = 0; i < b * c; i++) {
    let s = 0;
    for (let j = 0; j < h * w; j++) s += x.data[i * h * w + j]!;
    out[i] = s / (h * w);
  }
  return { data: out, shape: [b, c, 1, 1] };
}

/** x * scale with scale (B, C, 1, 1) broadcast over H and W. */
export function mulChannels(x: Nchw, scale: Nchw): Nchw {
  const [b, c, h, w] = x.shape;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < b * c; i++) for (let j = 0; j < h * w; j++) out[i * h * w + j] = x.data[i * h * w + j]! * scale.data[i]!;
  return { data: out, shape: x.shape };
}

/** Elementwise sum of two same-shaped tensors. */
export function add(x: Nchw, y: Nchw): Nchw {
  return { data: x.data.map((v, i) => v + y.data[i]!), shape: x.shape };
}
