"""PyTorch reference implementations of the plug-in modules (ultralytics state-dict keys, BN eps 1e-3)."""

from .blocks import C3k, C3k2, Attention, Bottleneck, Conv, PSABlock, autopad
from .dsconv import (
    C2f_DSConv,
    C3k2_DSConv,
    C3k_DSConv,
    Bottleneck_DSConv,
    DSConv,
    DSConv2D,
    dequantize_kernel,
    quantize_kernel,
)

__all__ = [
    "Attention",
    "Bottleneck",
    "Bottleneck_DSConv",
    "C2f_DSConv",
    "C3k",
    "C3k2",
    "C3k2_DSConv",
    "C3k_DSConv",
    "Conv",
    "DSConv",
    "DSConv2D",
    "PSABlock",
    "autopad",
    "dequantize_kernel",
    "quantize_kernel",
]
