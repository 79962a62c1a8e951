/**
 * A straightforward DynamicConv2d in plain JavaScript (float64, NCHW loops, PyTorch layouts), independent of
 * tfjs: routing from the mean of each channel, sigmoid, kernel = routing @ experts, direct grouped convolution.
 */
export interface ReferenceLayer {
  cin: number;
  cout: number;
  k: number;
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
  experts: number;
  /** (E, cin) */
  routingWeight: Float32Array;
  /** (E) */
  routingBias: Float32Array;
  /** (E, cout*(cin/g)*k*k), flattened OIHW per expert */
  weight: Float32Array;
  /** (E, cout) or null */
  bias: Float32Array | null;
}

/** Output (B, cout, Ho, Wo) flattened, and its shape, for an NCHW input. */
export function referenceForward(L: ReferenceLayer, x: Float32Array, [b, c, h, w]: number[]): { y: Float64Array; shape: number[] } {
  const { cin, cout, k, stride, padding, dilation, groups, experts } = L;
  if (c !== cin) throw new Error('channels');
  const ho = Math.floor((h! + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
  const wo = Math.floor((w! + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
  const ipg = cin / groups;
  const opg = cout / groups;
  const per = cout * ipg * k * k;
  const y = new Float64Array(b! * cout * ho * wo);
  const at = (n: number, ci: number, yy: number, xx: number) => x[((n * cin + ci) * h! + yy) * w! + xx]!;
  for (let n = 0; n < b!; n++) {
    // routing
    const r = new Float64Array(experts);
    const mean = new Float64Array(cin);
    for (let ci = 0; ci < cin; ci++) {
      let s = 0;
      for (let yy = 0; yy < h!; yy++) for (let xx = 0; xx < w!; xx++) s += at(n, ci, yy, xx);
      mean[ci] = s / (h! * w!);
    }
    for (let e = 0; e < experts; e++) {
      let s = L.routingBias[e]!;
      for (let ci = 0; ci < cin; ci++) s += L.routingWeight[e * cin + ci]! * mean[ci]!;
      r[e] = 1 / (1 + Math.exp(-s));
    }
    // mixed kernel and bias
    const kern = new Float64Array(per);
    for (let e = 0; e < experts; e++) for (let i = 0; i < per; i++) kern[i] += r[e]! * L.weight[e * per + i]!;
    const bias = new Float64Array(cout);
    if (L.bias) for (let e = 0; e < experts; e++) for (let o = 0; o < cout; o++) bias[o] += r[e]! * L.bias[e * cout + o]!;
    // direct convolution
    for (let o = 0; o < cout; o++) {
      const gi = Math.floor(o / opg);
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          let s = bias[o]!;
          for (let j = 0; j < ipg; j++) {
            const ci = gi * ipg + j;
            for (let ky = 0; ky < k; ky++) {
              const iy = oy * stride - padding + ky * dilation;
              if (iy < 0 || iy >= h!) continue;
              for (let kx = 0; kx < k; kx++) {
                const ix = ox * stride - padding + kx * dilation;
                if (ix < 0 || ix >= w!) continue;
                s += kern[((o * ipg + j) * k + ky) * k + kx]! * at(n, ci, iy, ix);
              }
            }
          }
          y[((n * cout + o) * ho + oy) * wo + ox] = s;
        }
      }
    }
  }
  return { y, shape: [b!, cout, ho, wo] };
}
