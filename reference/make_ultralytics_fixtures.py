"""Regenerates @plugconv/core's fixtures from ultralytics' own classes: the module fixtures Conv_16_32_k3_s2,
C2f_32_32_n2_sc, SPPF_32_32_k5 (packages/core/fixtures) and the whole model yolov8 at the tiny scale t
(packages/core/fixtures/models/yolov8-t, 1x3x64x64).

Runs the ultralytics source reference/fetch_ultralytics.sh fetches (8.2.82 by default: the YOLOv8 semantics core
follows), with torch 1.13 (Debian's python3-torch):
    /usr/bin/python3 reference/make_ultralytics_fixtures.py [--ultralytics 8.2.82] [--out DIR]
Modules are made as plugconv_ref.fixture says. Whole models: conv weights normal with std 1/sqrt(fan_in) (biases
std 0.1), random BN affine parameters with running statistics from the input's batch, and Detect's last box and
class convs rescaled to zero-mean unit-variance logits on that input, so no sigmoid saturates and every output
takes part in a comparison.
"""
import argparse
import os

import torch
import torch.nn as nn
import yaml

from plugconv_ref.fixture import calibrate_batchnorms, module_meta, run_randomized, write_fixture
from plugconv_ref.ultralytics_src import import_ultralytics

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
CORE = os.path.join(REPO, 'packages', 'core', 'fixtures')

parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
parser.add_argument('--ultralytics', default='8.2.82', help='ultralytics version whose semantics the fixtures follow')
parser.add_argument('--out', default=CORE, help="folder to write into (default: core's fixtures; models go to <out>/models)")
opts = parser.parse_args()

import_ultralytics(opts.ultralytics)
from ultralytics.nn.modules import C2f, SPPF, Conv  # noqa: E402
from ultralytics.nn.tasks import DetectionModel  # noqa: E402


def module_fixture(case, token, args, module, input_shape, seed):
    x, y = run_randomized(module, input_shape, seed)
    meta = {'ultralytics': opts.ultralytics, **module_meta(token, args, x, y, module)}
    write_fixture(opts.out, case, x, y, module, meta)
    print(case, meta['params'])


def normalize_head_logits(model, x):
    """Rescales Detect's last box and class convs so their outputs have zero mean and unit variance on `x`."""
    head = model.model[-1]
    convs = [seq[-1] for seq in [*head.cv2, *head.cv3]]
    seen = {}
    hooks = [c.register_forward_hook(lambda m, _, out: seen.__setitem__(m, (out.mean().item(), out.std().item() or 1.0))) for c in convs]
    with torch.no_grad():
        model(x)
        for h in hooks:
            h.remove()
        for c in convs:
            mean, std = seen[c]
            c.weight /= std
            c.bias.copy_((c.bias - mean) / std)


def model_fixture(cfg, scale, size, seed):
    with open(os.path.join(CORE, 'models', cfg)) as f:
        d = yaml.safe_load(f)
    d['scale'] = scale
    torch.manual_seed(seed)
    model = DetectionModel(d, ch=3, nc=d['nc'], verbose=False)
    for m in model.modules():
        if isinstance(m, nn.Conv2d) and m.weight.requires_grad:  # the DFL conv stays as built (frozen)
            fan_in = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
            nn.init.normal_(m.weight, 0.0, fan_in ** -0.5)
            if m.bias is not None:
                nn.init.normal_(m.bias, 0.0, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0.0, 0.2)
    x = torch.rand(1, 3, size, size)
    calibrate_batchnorms(model, x)
    normalize_head_logits(model, x)
    with torch.no_grad():
        y = model(x)[0]
    params = sum(p.numel() for p in model.parameters())
    meta = {
        'ultralytics': opts.ultralytics,
        'cfg': cfg,
        'scale': scale,
        f'scales_{scale}': d['scales'][scale],
        'input_shape': list(x.shape),
        'output_shape': list(y.shape),
        'params': params,
        'gradients': sum(p.numel() for p in model.parameters() if p.requires_grad),
    }
    name = f"{cfg.removesuffix('.yaml')}-{scale}"
    write_fixture(os.path.join(opts.out, 'models'), name, x, y, model, meta)
    print(name, params)


module_fixture('Conv_16_32_k3_s2', 'Conv', [16, 32, 3, 2], Conv(16, 32, 3, 2), (2, 16, 20, 20), 1)
module_fixture('C2f_32_32_n2_sc', 'C2f', [32, 32, 2, True], C2f(32, 32, 2, True), (1, 32, 16, 16), 2)
module_fixture('SPPF_32_32_k5', 'SPPF', [32, 32, 5], SPPF(32, 32, 5), (1, 32, 16, 16), 3)
model_fixture('yolov8.yaml', 't', 64, 4)
