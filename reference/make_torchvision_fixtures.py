"""Regenerates packages/mobilenetv3/fixtures/modules/MobileNetV3Block_*: torchvision's InvertedResidual (the
MobileNetV3 block, torchvision 0.14 as Debian's python3-torchvision has it) with BatchNorm eps 1e-3.

Args are the registry's (YAML) order, MobileNetV3Block(c1, c2, k, s, exp, se, act); fixtures as
plugconv_ref.fixture makes them:
    /usr/bin/python3 reference/make_torchvision_fixtures.py [--out DIR]
"""
import argparse
import os
from functools import partial

import torch
import torch.nn as nn
import torchvision
from torchvision.models.mobilenetv3 import InvertedResidual, InvertedResidualConfig

from plugconv_ref.fixture import module_meta, run_randomized, write_fixture

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(REPO, 'packages', 'mobilenetv3', 'fixtures', 'modules')


def make(out, case, args, input_shape, seed):
    c1, c2, k, s, exp, se, act = args
    cfg = InvertedResidualConfig(c1, k, exp, c2, se, act, s, 1, 1.0)
    module = InvertedResidual(cfg, norm_layer=partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01))
    x, y = run_randomized(module, input_shape, seed)
    meta = module_meta('MobileNetV3Block', args, x, y, module)
    meta['generator'] = f'reference/make_torchvision_fixtures.py (torch {torch.__version__}, torchvision {torchvision.__version__})'
    write_fixture(out, case, x, y, module, meta)
    print(case, meta['params'])


parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
parser.add_argument('--out', default=OUT, help="folder to write into (default: the package's fixtures/modules)")
out = parser.parse_args().out
make(out, 'MobileNetV3Block_16_24_k3_s2_se_hs', [16, 24, 3, 2, 64, True, 'HS'], (1, 16, 20, 20), 1)
make(out, 'MobileNetV3Block_24_24_k5_s1_re', [24, 24, 5, 1, 72, False, 'RE'], (1, 24, 20, 20), 2)
