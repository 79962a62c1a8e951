"""DSConv (distribution-shifting convolution) and the YOLO blocks built on it, in PyTorch.

The convolution keeps a float "shadow" kernel (key `weight`) and convolves with its block quantisation: for
every group v = (output channel, block of `block` input channels of the group, ky, kx), the last block holding
the remaining channels,

    e = v[argmax |v|]   (signed; the first on ties)
    s = -2^(b-1) / e
    I = clamp(round_half_even(s * v), -2^(b-1), 2^(b-1) - 1)       the variable-quantised kernel (VQK)
    alpha = sum(v * I) / sum(I * I)   (0 for an all-zero group)      the kernel distribution shift (KDS)

and the kernel used is alpha * I. bits = 0 is a plain convolution. Gradients pass straight through the
rounding to the shadow kernel.

Blocks: DSConv2D (Conv with a DSConv inside; keys conv.weight, bn.*), Bottleneck_DSConv (DSConv2D 1x1 then
DSConv2D 3x3), C2f_DSConv (everything DSConv2D), C3k_DSConv and C3k2_DSConv (C3k / C3k2 with
Bottleneck_DSConv in place of every Bottleneck; their own 1x1 convs stay Conv).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import C3k2, CSP2, CSP3, activation, autopad, batch_norm

DEFAULT_BITS = 8
DEFAULT_BLOCK = 32


def check_quantization(bits, block):
    if not (isinstance(bits, int) and (bits == 0 or 2 <= bits <= 8)):
        raise ValueError(f"DSConv: 'bits' must be 0 (no quantisation) or an integer from 2 to 8, got {bits!r}")
    if not (isinstance(block, int) and block >= 1):
        raise ValueError(f"DSConv: 'block' must be a positive integer (input channels per block), got {block!r}")


@torch.no_grad()
def quantize_kernel(weight: torch.Tensor, bits: int, block: int):
    """VQK/KDS quantisation of a (O, I/g, kh, kw) kernel -> (codes I (same shape, integer-valued floats),
    alpha (O, ceil((I/g)/block), kh, kw))."""
    o, i, kh, kw = weight.shape
    nb = -(-i // block)
    half = 2.0 ** (bits - 1)
    v = weight.permute(0, 2, 3, 1)  # (O, kh, kw, I): one group is a run of `block` input channels
    if nb * block != i:
        v = F.pad(v, (0, nb * block - i))
    v = v.reshape(o * kh * kw * nb, block)
    e = v.gather(1, v.abs().argmax(dim=1, keepdim=True))  # signed extreme, first on ties
    s = torch.where(e == 0, torch.zeros_like(e), -half / e)
    codes = torch.clamp(torch.round(s * v), -half, half - 1)  # torch.round: half to even
    num = (v * codes).sum(1)
    den = (codes * codes).sum(1)
    alpha = torch.where(den == 0, torch.zeros_like(den), num / torch.where(den == 0, torch.ones_like(den), den))
    codes = codes.reshape(o, kh, kw, nb * block)[..., :i].permute(0, 3, 1, 2)
    alpha = alpha.reshape(o, kh, kw, nb).permute(0, 3, 1, 2)
    return codes.contiguous(), alpha.contiguous()


def dequantize_kernel(codes: torch.Tensor, alpha: torch.Tensor, block: int) -> torch.Tensor:
    """alpha (expanded over each block's input channels) * codes."""
    return alpha.repeat_interleave(block, dim=1)[:, : codes.shape[1]] * codes


class _StraightThrough(torch.autograd.Function):
    """Forward: the quantised kernel alpha * I; backward: the gradient unchanged (identity)."""

    @staticmethod
    def forward(ctx, weight, bits, block):
        codes, alpha = quantize_kernel(weight, bits, block)
        return dequantize_kernel(codes, alpha, block)

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None


def fake_quantize(weight: torch.Tensor, bits: int, block: int) -> torch.Tensor:
    """The kernel DSConv convolves with (the weight itself when bits is 0), straight-through for autograd."""
    if bits == 0:
        return weight
    return _StraightThrough.apply(weight, bits, block)


class DSConv(nn.Conv2d):
    """A Conv2d (no bias) whose forward uses the VQK/KDS quantisation of its weight."""

    def __init__(self, c1, c2, k, s=1, p=None, g=1, d=1, bits=DEFAULT_BITS, block=DEFAULT_BLOCK):
        check_quantization(bits, block)
        super().__init__(c1, c2, k, s, autopad(k, p, d), dilation=d, groups=g, bias=False)
        self.bits = bits
        self.block = block

    def quantized(self):
        """(codes, alpha) of the current weight."""
        return quantize_kernel(self.weight, self.bits, self.block)

    def forward(self, x):
        w = fake_quantize(self.weight, self.bits, self.block)
        return F.conv2d(x, w.to(x.dtype), None, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        return f"{super().extra_repr()}, bits={self.bits}, block={self.block}"


class DSConv2D(nn.Module):
    """DSConv2D(c1, c2, k=1, s=1, p=None, g=1, d=1, act=True, bits=8, block=32): DSConv -> BatchNorm -> SiLU,
    a drop-in for Conv (same keys: conv.weight, bn.*)."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True, bits=DEFAULT_BITS, block=DEFAULT_BLOCK):
        super().__init__()
        self.conv = DSConv(c1, c2, k, s, p, g, d, bits, block)
        self.bn = batch_norm(c2)
        self.act = activation(act)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck_DSConv(nn.Module):
    """Bottleneck_DSConv(c1, c2, shortcut=True, g=1, e=0.5, bits=8, block=32): DSConv2D(c1, c_, 1) then
    DSConv2D(c_, c2, 3, g=g), c_ = int(c2 * e); residual when shortcut and c1 == c2."""

    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5, bits=DEFAULT_BITS, block=DEFAULT_BLOCK):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = DSConv2D(c1, c_, 1, 1, bits=bits, block=block)
        self.cv2 = DSConv2D(c_, c2, 3, 1, g=g, bits=bits, block=block)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f_DSConv(CSP2):
    """C2f_DSConv(c1, c2, n=1, shortcut=False, g=1, e=0.5, bits=8, block=32): C2f with cv1, cv2 and both convs of
    each Bottleneck_DSConv(c, c, shortcut, g, e=1) as DSConv2D."""

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5, bits=DEFAULT_BITS, block=DEFAULT_BLOCK):
        super().__init__(
            c1,
            c2,
            n,
            e,
            lambda c: Bottleneck_DSConv(c, c, shortcut, g, e=1.0, bits=bits, block=block),
            lambda a, b: DSConv2D(a, b, 1, 1, bits=bits, block=block),
        )


class C3k_DSConv(CSP3):
    """C3k_DSConv(c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3): C3k over n Bottleneck_DSConv(c_, c_, shortcut, g,
    e=1). (`k` is accepted for C3k's signature; Bottleneck_DSConv's kernels are 1 and 3.)"""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3):
        super().__init__(c1, c2, n, e, lambda c: Bottleneck_DSConv(c, c, shortcut, g, e=1.0))


class C3k2_DSConv(C3k2):
    """C3k2_DSConv(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): C3k2 with C2f_DSConv's
    bottleneck, Bottleneck_DSConv(c, c, shortcut, g, e=1.0), in place of every Bottleneck: the direct ones
    (where C3k2 has Bottleneck(c, c, shortcut, g) with e=0.5), the one before the PSABlock, and those inside
    C3k (C3k_DSConv(c, c, 2, shortcut, g)). Same arguments and scale rule as C3k2."""

    @staticmethod
    def bottleneck(c, shortcut, g):
        return Bottleneck_DSConv(c, c, shortcut, g, e=1.0)

    @staticmethod
    def c3k_block(c, shortcut, g):
        return C3k_DSConv(c, c, 2, shortcut, g)
