"""Regenerates packages/repghost/fixtures/modules/{RepGhostBottleneck,RepGhostModule}_*.{safetensors,json}.

The oracle is the RepGhost bottleneck as the YOLOv8 plug-in code gives it (SiLU after the primary conv and after
the sum), with the SqueezeExcite it refers to taken from the RepGhost repository (GhostNet's: make-divisible by
4, ReLU, hard-sigmoid gate), written out below. Fixtures as plugconv_ref.fixture makes them (random weights, BN
eps 1e-3, running statistics from the input's batch); the json also records the re-parameterised module's
parameter count and output difference. Needs torch (Debian's python3-torch 1.13) and numpy only:
    /usr/bin/python3 reference/make_repghost_fixtures.py [--out DIR]
"""
import argparse
import copy
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from plugconv_ref.fixture import module_meta, run_randomized, write_fixture

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(REPO, 'packages', 'repghost', 'fixtures', 'modules')


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def hard_sigmoid(x, inplace: bool = False):
    return F.relu6(x + 3.0) / 6.0


class SqueezeExcite(nn.Module):
    def __init__(self, in_chs, se_ratio=0.25, reduced_base_chs=None, act_layer=nn.ReLU, gate_fn=hard_sigmoid, divisor=4, **_):
        super().__init__()
        self.gate_fn = gate_fn
        reduced_chs = _make_divisible((reduced_base_chs or in_chs) * se_ratio, divisor)
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv_reduce = nn.Conv2d(in_chs, reduced_chs, 1, bias=True)
        self.act1 = act_layer(inplace=True)
        self.conv_expand = nn.Conv2d(reduced_chs, in_chs, 1, bias=True)

    def forward(self, x):
        x_se = self.avg_pool(x)
        x_se = self.conv_reduce(x_se)
        x_se = self.act1(x_se)
        x_se = self.conv_expand(x_se)
        return x * self.gate_fn(x_se)


# ---- the reference RepGhost code, unchanged apart from formatting ----
class RepGhostModule(nn.Module):
    def __init__(self, inp, oup, kernel_size=1, dw_size=3, stride=1, relu=True, deploy=False, reparam_bn=True, reparam_identity=False):
        super().__init__()
        init_channels = oup
        new_channels = oup
        self.deploy = deploy
        self.primary_conv = nn.Sequential(
            nn.Conv2d(inp, init_channels, kernel_size, stride, kernel_size // 2, bias=False),
            nn.BatchNorm2d(init_channels),
            nn.SiLU(inplace=True) if relu else nn.Sequential(),
        )
        fusion_conv = []
        fusion_bn = []
        if not deploy and reparam_bn:
            fusion_conv.append(nn.Identity())
            fusion_bn.append(nn.BatchNorm2d(init_channels))
        if not deploy and reparam_identity:
            fusion_conv.append(nn.Identity())
            fusion_bn.append(nn.Identity())
        self.fusion_conv = nn.Sequential(*fusion_conv)
        self.fusion_bn = nn.Sequential(*fusion_bn)
        self.cheap_operation = nn.Sequential(
            nn.Conv2d(init_channels, new_channels, dw_size, 1, dw_size // 2, groups=init_channels, bias=deploy),
            nn.BatchNorm2d(new_channels) if not deploy else nn.Sequential(),
        )
        if deploy:
            self.cheap_operation = self.cheap_operation[0]
        self.relu = nn.SiLU(inplace=False) if relu else nn.Sequential()

    def forward(self, x):
        x1 = self.primary_conv(x)
        x2 = self.cheap_operation(x1)
        for conv, bn in zip(self.fusion_conv, self.fusion_bn):
            x2 = x2 + bn(conv(x1))
        return self.relu(x2)

    def get_equivalent_kernel_bias(self):
        kernel3x3, bias3x3 = self._fuse_bn_tensor(self.cheap_operation[0], self.cheap_operation[1])
        for conv, bn in zip(self.fusion_conv, self.fusion_bn):
            kernel, bias = self._fuse_bn_tensor(conv, bn, kernel3x3.shape[0], kernel3x3.device)
            kernel3x3 += self._pad_1x1_to_3x3_tensor(kernel)
            bias3x3 += bias
        return kernel3x3, bias3x3

    @staticmethod
    def _pad_1x1_to_3x3_tensor(kernel1x1):
        if kernel1x1 is None:
            return 0
        return torch.nn.functional.pad(kernel1x1, [1, 1, 1, 1])

    @staticmethod
    def _fuse_bn_tensor(conv, bn, in_channels=None, device=None):
        in_channels = in_channels if in_channels else bn.running_mean.shape[0]
        device = device if device else bn.weight.device
        if isinstance(conv, nn.Conv2d):
            kernel = conv.weight
            assert conv.bias is None
        else:
            assert isinstance(conv, nn.Identity)
            kernel_value = np.zeros((in_channels, 1, 1, 1), dtype=np.float32)
            for i in range(in_channels):
                kernel_value[i, 0, 0, 0] = 1
            kernel = torch.from_numpy(kernel_value).to(device)
        if isinstance(bn, nn.BatchNorm2d):
            std = (bn.running_var + bn.eps).sqrt()
            t = (bn.weight / std).reshape(-1, 1, 1, 1)
            return kernel * t, bn.bias - bn.running_mean * bn.weight / std
        assert isinstance(bn, nn.Identity)
        return kernel, torch.zeros(in_channels).to(kernel.device)

    def switch_to_deploy(self):
        if len(self.fusion_conv) == 0 and len(self.fusion_bn) == 0:
            return
        kernel, bias = self.get_equivalent_kernel_bias()
        c = self.cheap_operation[0]
        self.cheap_operation = nn.Conv2d(c.in_channels, c.out_channels, c.kernel_size, padding=c.padding, dilation=c.dilation, groups=c.groups, bias=True)
        self.cheap_operation.weight.data = kernel
        self.cheap_operation.bias.data = bias
        self.__delattr__('fusion_conv')
        self.__delattr__('fusion_bn')
        self.fusion_conv = []
        self.fusion_bn = []
        self.deploy = True


class RepGhostBottleneck(nn.Module):
    def __init__(self, in_chs, mid_chs, out_chs, dw_kernel_size=3, stride=1, se_ratio=0.0, shortcut=True, reparam=True, reparam_bn=True, reparam_identity=False, deploy=False):
        super().__init__()
        has_se = se_ratio is not None and se_ratio > 0.0
        self.stride = stride
        self.enable_shortcut = shortcut
        self.in_chs = in_chs
        self.out_chs = out_chs
        self.ghost1 = RepGhostModule(in_chs, mid_chs, relu=True, reparam_bn=reparam and reparam_bn, reparam_identity=reparam and reparam_identity, deploy=deploy)
        if self.stride > 1:
            self.conv_dw = nn.Conv2d(mid_chs, mid_chs, dw_kernel_size, stride=stride, padding=(dw_kernel_size - 1) // 2, groups=mid_chs, bias=False)
            self.bn_dw = nn.BatchNorm2d(mid_chs)
        self.se = SqueezeExcite(mid_chs, se_ratio=se_ratio) if has_se else None
        self.ghost2 = RepGhostModule(mid_chs, out_chs, relu=False, reparam_bn=reparam and reparam_bn, reparam_identity=reparam and reparam_identity, deploy=deploy)
        if in_chs == out_chs and self.stride == 1:
            self.shortcut = nn.Sequential()
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_chs, in_chs, dw_kernel_size, stride=stride, padding=(dw_kernel_size - 1) // 2, groups=in_chs, bias=False),
                nn.BatchNorm2d(in_chs),
                nn.Conv2d(in_chs, out_chs, 1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(out_chs),
            )

    def forward(self, x):
        residual = x
        x1 = self.ghost1(x)
        if self.stride > 1:
            x = self.conv_dw(x1)
            x = self.bn_dw(x)
        else:
            x = x1
        if self.se is not None:
            x = self.se(x)
        x = self.ghost2(x)
        if not self.enable_shortcut and self.in_chs == self.out_chs and self.stride == 1:
            return x
        return x + self.shortcut(residual)
# ---- end of the reference code ----


def make(out, case, module_name, args, module, input_shape, seed):
    x, y = run_randomized(module, input_shape, seed)
    with torch.no_grad():
        deployed = copy.deepcopy(module)
        for m in deployed.modules():
            if hasattr(m, 'switch_to_deploy'):
                m.switch_to_deploy()
        yd = deployed(x)
    meta = {
        **module_meta(module_name, args, x, y, module),
        'deploy_max_abs_diff': float((y - yd).abs().max()),
        'deploy_params': sum(p.numel() for p in deployed.parameters()),
        'generator': 'reference/make_repghost_fixtures.py (torch ' + torch.__version__ + ')',
    }
    write_fixture(out, case, x, y, module, meta)
    print(case, meta['params'], meta['deploy_params'], meta['deploy_max_abs_diff'])


parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
parser.add_argument('--out', default=OUT, help='folder to write into (default: the package\'s fixtures/modules)')
out = parser.parse_args().out

# args are the registry's (YAML) order: RepGhostBottleneck(c1, c2, k, s, se_ratio, shortcut) = reference (c1, c2, c2, ...)
make(out, 'RepGhostBottleneck_16_32_k3_s2_se', 'RepGhostBottleneck', [16, 32, 3, 2, 0.25],
     RepGhostBottleneck(16, 32, 32, 3, 2, se_ratio=0.25), (1, 16, 16, 16), 1)
make(out, 'RepGhostBottleneck_16_24_k5_s1_proj', 'RepGhostBottleneck', [16, 24, 5, 1, 0, True],
     RepGhostBottleneck(16, 24, 24, 5, 1), (1, 16, 12, 12), 2)
make(out, 'RepGhostBottleneck_24_24_k3_s1_nosc', 'RepGhostBottleneck', [24, 24, 3, 1, 0, False],
     RepGhostBottleneck(24, 24, 24, 3, 1, shortcut=False), (2, 24, 10, 10), 3)
make(out, 'RepGhostModule_16_32_k3_s2_repid_norelu', 'RepGhostModule', [16, 32, 3, 3, 2, False, False, True, True],
     RepGhostModule(16, 32, 3, 3, 2, relu=False, reparam_bn=True, reparam_identity=True), (1, 16, 15, 15), 4)
