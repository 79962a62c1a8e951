"""Plain YOLO building blocks the plug-in modules are made of, written from their published behaviour (no
ultralytics import): Conv, Bottleneck, the C2f / C3 cross-stage layouts, C3k, C3k2 and the PSA attention block.

Every class takes a `bottleneck` factory where YOLO puts its Bottleneck, so a plug-in family's C3k2 variant is
the same class with another factory. State-dict keys are ultralytics' (cv1.conv.weight, cv1.bn.*, m.0....).
BatchNorm uses eps 1e-3 and momentum 0.03, what every BatchNorm in a YOLO model ends up with.
"""

from __future__ import annotations

import torch
import torch.nn as nn

BN_EPS = 1e-3
BN_MOMENTUM = 0.03


def autopad(k, p=None, d=1):
    """'same' padding for kernel k at dilation d unless p is given."""
    if d > 1:
        k = d * (k - 1) + 1 if isinstance(k, int) else [d * (x - 1) + 1 for x in k]
    if p is None:
        p = k // 2 if isinstance(k, int) else [x // 2 for x in k]
    return p


def batch_norm(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=BN_EPS, momentum=BN_MOMENTUM)


def activation(act) -> nn.Module:
    """True -> SiLU, a module -> itself, anything else -> identity."""
    if act is True:
        return nn.SiLU()
    return act if isinstance(act, nn.Module) else nn.Identity()


class Conv(nn.Module):
    """Conv(c1, c2, k=1, s=1, p=None, g=1, d=1, act=True): conv (no bias) -> BatchNorm -> SiLU."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p, d), groups=g, dilation=d, bias=False)
        self.bn = batch_norm(c2)
        self.act = activation(act)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    """Bottleneck(c1, c2, shortcut=True, g=1, k=(3, 3), e=0.5): two Convs, residual when shortcut and c1 == c2."""

    def __init__(self, c1, c2, shortcut=True, g=1, k=(3, 3), e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, k[0], 1)
        self.cv2 = Conv(c_, c2, k[1], 1, g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class CSP2(nn.Module):
    """The C2f layout: cv1 to 2c channels, split in halves, chain the blocks `m` on the last piece, concatenate
    every piece, cv2 to c2. `make_conv(c_in, c_out)` builds cv1/cv2 (1x1), `make_block(c)` each of the n blocks."""

    def __init__(self, c1, c2, n, e, make_block, make_conv=None):
        super().__init__()
        make_conv = make_conv or (lambda a, b: Conv(a, b, 1, 1))
        self.c = int(c2 * e)
        self.cv1 = make_conv(c1, 2 * self.c)
        self.cv2 = make_conv((2 + n) * self.c, c2)
        self.m = nn.ModuleList(make_block(self.c) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))


class CSP3(nn.Module):
    """The C3 layout: cv3(cat(m(cv1(x)), cv2(x))) with c_ = int(c2*e) hidden channels, `make_block(c_)` n times
    in a Sequential."""

    def __init__(self, c1, c2, n, e, make_block):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c1, c_, 1, 1)
        self.cv3 = Conv(2 * c_, c2, 1)
        self.m = nn.Sequential(*(make_block(c_) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))


class Attention(nn.Module):
    """Multi-head self-attention over the H*W positions with a depthwise positional term.

    head_dim = dim // heads, key_dim = int(head_dim * attn_ratio); qkv = Conv(dim, dim + 2*heads*key_dim, 1,
    act=False) viewed per head as [key_dim q, key_dim k, head_dim v]; out = proj(v softmax(q^T k / sqrt(key_dim))^T
    + pe(v)), pe a 3x3 depthwise Conv, proj a 1x1 Conv, both without activation.
    """

    def __init__(self, dim, num_heads=8, attn_ratio=0.5):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.key_dim = int(self.head_dim * attn_ratio)
        self.scale = self.key_dim**-0.5
        self.qkv = Conv(dim, dim + 2 * self.key_dim * num_heads, 1, act=False)
        self.proj = Conv(dim, dim, 1, act=False)
        self.pe = Conv(dim, dim, 3, 1, g=dim, act=False)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = (
            self.qkv(x)
            .view(b, self.num_heads, 2 * self.key_dim + self.head_dim, h * w)
            .split([self.key_dim, self.key_dim, self.head_dim], dim=2)
        )
        attn = ((q.transpose(-2, -1) @ k) * self.scale).softmax(dim=-1)
        y = (v @ attn.transpose(-2, -1)).view(b, c, h, w) + self.pe(v.reshape(b, c, h, w))
        return self.proj(y)


class PSABlock(nn.Module):
    """x + attn(x), then x + ffn(x) with ffn = Conv(c, 2c, 1), Conv(2c, c, 1, act=False)."""

    def __init__(self, c, attn_ratio=0.5, num_heads=4, shortcut=True):
        super().__init__()
        self.attn = Attention(c, attn_ratio=attn_ratio, num_heads=num_heads)
        self.ffn = nn.Sequential(Conv(c, c * 2, 1), Conv(c * 2, c, 1, act=False))
        self.add = shortcut

    def forward(self, x):
        x = x + self.attn(x) if self.add else self.attn(x)
        return x + self.ffn(x) if self.add else self.ffn(x)


class C3k(CSP3):
    """C3k(c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3): the C3 layout over n Bottleneck(c_, c_, shortcut, g,
    (k, k), e=1)."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3):
        super().__init__(c1, c2, n, e, lambda c: Bottleneck(c, c, shortcut, g, k=(k, k), e=1.0))


class C3k2(CSP2):
    """C3k2(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): the C2f layout whose n blocks are
    Sequential(Bottleneck(c, c, shortcut, g), PSABlock(c, 0.5, max(c // 64, 1))) when attn, else
    C3k(c, c, 2, shortcut, g) when c3k, else Bottleneck(c, c, shortcut, g).

    Subclasses swap the bottleneck: `bottleneck(c, shortcut, g)` (the direct ones and the one before PSABlock)
    and `c3k_block(c, shortcut, g)` (the C3k flavour)."""

    def __init__(self, c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True):
        def block(c):
            if attn:
                return nn.Sequential(self.bottleneck(c, shortcut, g), PSABlock(c, attn_ratio=0.5, num_heads=max(c // 64, 1)))
            return self.c3k_block(c, shortcut, g) if c3k else self.bottleneck(c, shortcut, g)

        super().__init__(c1, c2, n, e, block)

    @staticmethod
    def bottleneck(c, shortcut, g):
        return Bottleneck(c, c, shortcut, g)

    @staticmethod
    def c3k_block(c, shortcut, g):
        return C3k(c, c, 2, shortcut, g)
