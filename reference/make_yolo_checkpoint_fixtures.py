#!/usr/bin/env python3
"""Writes packages/yolo/fixtures/checkpoints: small checkpoints that @plugconv/yolo's loaders and CLI are tested on
(the public YOLO checkpoints and the broken and hostile files live in @plugconv/core's fixtures).

  tiny.yaml               a small YOLO11-style detector (Conv, C3k2, SPPF, Detect), 3 classes
  tiny_state_dict.pt      torch.save(model.state_dict()) of it in fp16: tensors only, so a YAML must be given
  tiny.safetensors/.json  `input` (1, 3, 64, 64) and `output`: what those fp16 weights compute in fp32, eval mode
  custom_module.pt        a best.pt-style checkpoint whose model YAML names a module no registry has (C3k2_MyConv),
                          as a checkpoint trained with a user's own module looks

Weights are random (normal, std 1/sqrt(fan_in)), BatchNorm statistics calibrated on the input, so outputs are not
degenerate. Run from the repository root with Debian's python3-torch and an ultralytics 8.4 source tree:
  PLUGCONV_ULTRALYTICS=/path/to/ultralytics-8.4.104 /usr/bin/python3 reference/make_yolo_checkpoint_fixtures.py [--out DIR]
"""
import argparse
import copy
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plugconv_ref.safetensors_io import write_safetensors  # noqa: E402
from plugconv_ref.ultralytics_src import import_ultralytics  # noqa: E402

VERSION = '8.4.104'
DATE = '2026-07-24T00:00:00'
NAMES = {0: 'circle', 1: 'square', 2: 'triangle'}
YAML = """# a small YOLO11-style detector for plugconv's checkpoint tests (3 classes, one scale)
nc: 3
scales:
  s: [1.0, 1.0, 1024]
scale: s
backbone:
  - [-1, 1, Conv, [16, 3, 2]]
  - [-1, 1, Conv, [32, 3, 2]]
  - [-1, 1, C3k2, [32, False, 0.25]]
  - [-1, 1, Conv, [64, 3, 2]]
  - [-1, 1, SPPF, [64, 5]]
head:
  - [[2, 4], 1, Detect, [nc]]
"""


def randomized(model, x):
    """Normal weights of std 1/sqrt(fan_in), then BatchNorm statistics of the input's own batch (eps 1e-3)."""
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            fan_in = p[0].numel() if p.dim() > 1 else 1
            p.copy_(torch.randn_like(p) / fan_in ** 0.5 if p.dim() > 1 else torch.randn_like(p) * 0.1)
        bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        for bn in bns:
            bn.momentum = 1.0
            bn.reset_running_stats()
        model.train()
        model(x)
        model.eval()
    return model


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default=os.path.join(here, '..', 'packages', 'yolo', 'fixtures', 'checkpoints'))
    out = p.parse_args().out
    import_ultralytics(VERSION)
    import yaml
    from ultralytics.nn.tasks import DetectionModel

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'tiny.yaml'), 'w') as f:
        f.write(YAML)
    torch.manual_seed(1)
    x = torch.rand(1, 3, 64, 64)
    model = randomized(DetectionModel(yaml.safe_load(YAML), verbose=False), x)
    model.names = dict(NAMES)
    model.half()
    torch.save(model.state_dict(), os.path.join(out, 'tiny_state_dict.pt'))
    with torch.no_grad():
        y = copy.deepcopy(model).float().eval()(x)[0]
    write_safetensors(os.path.join(out, 'tiny.safetensors'), {'input': x, 'output': y})
    meta = {'cfg': 'tiny.yaml', 'weights': 'tiny_state_dict.pt', 'input_shape': list(x.shape), 'output_shape': list(y.shape),
            'params': sum(q.numel() for q in model.parameters()), 'ultralytics': VERSION}
    with open(os.path.join(out, 'tiny.json'), 'w') as f:
        json.dump(meta, f, indent=1)

    custom = copy.deepcopy(model)
    custom.yaml = copy.deepcopy(custom.yaml)
    custom.yaml['backbone'][2][2] = 'C3k2_MyConv'
    torch.save({'date': DATE, 'version': VERSION, 'epoch': -1, 'model': custom, 'ema': None, 'optimizer': None,
                'train_args': {'imgsz': 64, 'task': 'detect'}}, os.path.join(out, 'custom_module.pt'))
    for name in sorted(os.listdir(out)):
        print(name, os.path.getsize(os.path.join(out, name)), 'bytes')


if __name__ == '__main__':
    main()
