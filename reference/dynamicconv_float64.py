"""Float64 forward of yolov8-DynamicConv at scale t from a fixture's state (numpy only, no PyTorch).

    /usr/bin/python3 reference/dynamicconv_float64.py packages/dynamicconv/fixtures/models/yolov8-DynamicConv-t.safetensors [ours.bin ours.json]

Prints how far the fixture's float32 PyTorch output is from the exact (float64) result, element by element with
the parity tolerance 1e-4 + 1e-3|ref|. Used to show that output[0, 2, 80] (a near-zero box width at stride 32)
is ill-conditioned: PyTorch's own float32 value is 0.67 of the tolerance away from the exact one.
"""
import json, sys
import numpy as np

from plugconv_ref.safetensors_io import read_safetensors

T = read_safetensors(sys.argv[1], dtype=np.float64)[0]
S = {k[len('state.'):]: v for k, v in T.items() if k.startswith('state.')}

def conv2d(x, w, s=1, p=0, bias=None):
    b, c, h, wd = x.shape; o, ci, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    ho = (h + 2 * p - k) // s + 1; wo = (wd + 2 * p - k) // s + 1
    y = np.zeros((b, o, ho, wo))
    for ky in range(k):
        for kx in range(k):
            patch = xp[:, :, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s]
            y += np.einsum('bchw,oc->bohw', patch, w[:, :, ky, kx])
    if bias is not None: y += bias[None, :, None, None]
    return y

def bn(x, pre):
    g, b_, m, v = S[pre + '.weight'], S[pre + '.bias'], S[pre + '.running_mean'], S[pre + '.running_var']
    return (x - m[None, :, None, None]) / np.sqrt(v[None, :, None, None] + 1e-3) * g[None, :, None, None] + b_[None, :, None, None]

silu = lambda x: x * (0.5 * (1 + np.tanh(0.5 * x)))  # x * sigmoid(x) without overflow

def conv(x, pre, s=1):
    w = S[pre + '.conv.weight']; k = w.shape[2]
    return silu(bn(conv2d(x, w, s, k // 2), pre + '.bn'))

def dynconv(x, pre, s=1):
    rw, rb, W = S[pre + '.conv.routing.weight'], S[pre + '.conv.routing.bias'], S[pre + '.conv.cond_conv.weight']
    E = W.shape[0]; c1 = x.shape[1]; c2 = S[pre + '.bn.weight'].shape[0]; k = int(round((W.shape[1] / (c2 * c1)) ** 0.5))
    r = 1 / (1 + np.exp(-(x.mean(axis=(2, 3)) @ rw.T + rb)))
    ys = [conv2d(x[i:i + 1], (r[i] @ W).reshape(c2, c1, k, k), s, k // 2) for i in range(x.shape[0])]
    return silu(bn(np.concatenate(ys, 0), pre + '.bn'))

def c2f(x, pre, shortcut):
    y = conv(x, pre + '.cv1'); c = y.shape[1] // 2
    ys = [y[:, :c], y[:, c:]]
    i = 0
    while f'{pre}.m.{i}.cv1.conv.weight' in S:
        z = conv(conv(ys[-1], f'{pre}.m.{i}.cv1'), f'{pre}.m.{i}.cv2')
        ys.append(ys[-1] + z if shortcut else z); i += 1
    return conv(np.concatenate(ys, 1), pre + '.cv2')

def maxpool5(x):
    xp = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)), constant_values=-np.inf)
    h, w = x.shape[2:]
    return np.max(np.stack([xp[:, :, a:a + h, b:b + w] for a in range(5) for b in range(5)]), 0)

def sppf(x, pre):
    x = conv(x, pre + '.cv1'); y1 = maxpool5(x); y2 = maxpool5(y1); y3 = maxpool5(y2)
    return conv(np.concatenate([x, y1, y2, y3], 1), pre + '.cv2')

up = lambda x: x.repeat(2, 2).repeat(2, 3)
x = T['input']
L = {}
L[0] = conv(x, 'model.0', 2); L[1] = dynconv(L[0], 'model.1', 2); L[2] = c2f(L[1], 'model.2', True)
L[3] = dynconv(L[2], 'model.3', 2); L[4] = c2f(L[3], 'model.4', True); L[5] = dynconv(L[4], 'model.5', 2)
L[6] = c2f(L[5], 'model.6', True); L[7] = dynconv(L[6], 'model.7', 2); L[8] = c2f(L[7], 'model.8', True)
L[9] = sppf(L[8], 'model.9'); L[10] = up(L[9]); L[11] = np.concatenate([L[10], L[6]], 1); L[12] = c2f(L[11], 'model.12', False)
L[13] = up(L[12]); L[14] = np.concatenate([L[13], L[4]], 1); L[15] = c2f(L[14], 'model.15', False)
L[16] = dynconv(L[15], 'model.16', 2); L[17] = np.concatenate([L[16], L[12]], 1); L[18] = c2f(L[17], 'model.18', False)
L[19] = dynconv(L[18], 'model.19', 2); L[20] = np.concatenate([L[19], L[9]], 1); L[21] = c2f(L[20], 'model.21', False)

feats = []
for i, f in enumerate([L[15], L[18], L[21]]):
    p = f'model.22.cv2.{i}'; q = f'model.22.cv3.{i}'
    a = conv2d(conv(conv(f, p + '.0'), p + '.1'), S[p + '.2.weight'], 1, 0, S[p + '.2.bias'])
    c = conv2d(conv(conv(f, q + '.0'), q + '.1'), S[q + '.2.weight'], 1, 0, S[q + '.2.bias'])
    feats.append(np.concatenate([a, c], 1))
anchors, strides = [], []
for f, s in zip(feats, [8, 16, 32]):
    h, w = f.shape[2:]
    sy, sx = np.meshgrid(np.arange(h) + 0.5, np.arange(w) + 0.5, indexing='ij')
    anchors.append(np.stack([sx, sy], -1).reshape(-1, 2)); strides.append(np.full(h * w, s))
anchors = np.concatenate(anchors).T; strides = np.concatenate(strides)
xc = np.concatenate([f.reshape(1, f.shape[1], -1) for f in feats], 2)
box, cls = xc[:, :64], xc[:, 64:]
bx = box.reshape(1, 4, 16, -1); bx = np.exp(bx - bx.max(2, keepdims=True)); bx /= bx.sum(2, keepdims=True)
dist = np.einsum('bjka,k->bja', bx, S['model.22.dfl.conv.weight'].reshape(16))
lt, rb = dist[:, :2], dist[:, 2:]
x1y1 = anchors[None] - lt; x2y2 = anchors[None] + rb
dbox = np.concatenate([(x1y1 + x2y2) / 2, x2y2 - x1y1], 1) * strides
y = np.concatenate([dbox, 1 / (1 + np.exp(-cls))], 1)
ref = T['output']
d = np.abs(y - ref); tol = 1e-4 + 1e-3 * np.abs(ref)
print('float64 vs PyTorch fp32: max abs', d.max(), 'worst ratio', (d / tol).max(), 'at', np.unravel_index((d / tol).argmax(), d.shape))
print('element (2,80): float64', y[0, 2, 80], 'pytorch', ref[0, 2, 80])

if len(sys.argv) > 3:
    # our per-row outputs (NCHW float32, concatenated) and their shapes, to see where error accumulates
    L[22] = y
    meta = json.load(open(sys.argv[3])); raw = np.fromfile(sys.argv[2], dtype=np.float32)
    off = 0; line = []
    for i in range(23):
        shp = meta[str(i)]; n = int(np.prod(shp)); a = raw[off:off + n].reshape(shp); off += n
        line.append(f'{i}:{np.abs(a - L[i]).max() / np.abs(L[i]).max():.1e}')
    print('row: max |ours - float64| / max |float64|:', ' '.join(line))
