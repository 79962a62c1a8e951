"""How the repository's fixtures are made, in one place.

A module fixture is `<case>.safetensors` with `input` (NCHW), `output` (the module in eval mode on that input) and
`state.<key>` for every entry of the module's state dict (PyTorch layout, `num_batches_tracked` left out), plus
`<case>.json`: `module` (the YAML token), `args` (constructor arguments in the registry's order, c1 first),
`input_shape`, `output_shape`, `params` and whatever else a test reads.

Weights are random (so no branch hides behind a zero init), BatchNorm eps is YOLO's 1e-3, and BatchNorm running
statistics are the fixture input's own batch statistics (one train-mode pass with momentum 1), so activations
keep a sane scale through the module.
"""
import json
import os

import torch
import torch.nn as nn

from .safetensors_io import write_safetensors


def randomize(module, std=0.3, seed=None):
    """Normal(0, std) values in every parameter, then BatchNorm affine parameters weight ~ U(0.5, 1.5), bias ~ N(0, 0.2)."""
    if seed is not None:
        torch.manual_seed(seed)
    for p in module.parameters():
        nn.init.normal_(p, 0.0, std)
    for bn in batchnorms(module):
        nn.init.uniform_(bn.weight, 0.5, 1.5)
        nn.init.normal_(bn.bias, 0.0, 0.2)


def batchnorms(module):
    """The module's BatchNorm2d layers."""
    return [m for m in module.modules() if isinstance(m, nn.BatchNorm2d)]


def calibrate_batchnorms(module, x, eps=1e-3):
    """Sets every BatchNorm's eps and its running statistics to those of `x`'s batch (momentum 1 for one
    train-mode pass, then back to YOLO's 0.03) and leaves the module in eval mode."""
    bns = batchnorms(module)
    for bn in bns:
        bn.eps = eps
        bn.momentum = 1.0
    with torch.no_grad():
        module.train()(x)
    for bn in bns:
        bn.momentum = 0.03
    module.eval()


def run_randomized(module, input_shape, seed):
    """Randomises `module` (seeded), draws a normal input of `input_shape`, calibrates the BatchNorms on it and
    returns (input, eval output)."""
    randomize(module, seed=seed)
    x = torch.randn(*input_shape)
    calibrate_batchnorms(module, x)
    with torch.no_grad():
        y = module(x)
    return x, y


def module_meta(token, args, x, y, module):
    """The json every module fixture has: module, args, input_shape, output_shape, params."""
    return {
        'module': token,
        'args': args,
        'input_shape': list(x.shape),
        'output_shape': list(y.shape),
        'params': sum(p.numel() for p in module.parameters()),
    }


def state_tensors(module):
    """`state.<key>` -> tensor for the module's state dict, without num_batches_tracked."""
    return {'state.' + k: v for k, v in module.state_dict().items() if not k.endswith('num_batches_tracked')}


def write_fixture(out_dir, case, x, y, module, meta):
    """Writes `<case>.safetensors` (input, output, state.*) and `<case>.json` (`meta`) into `out_dir`."""
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, case + '.safetensors'), {'input': x, 'output': y, **state_tensors(module)})
    with open(os.path.join(out_dir, case + '.json'), 'w') as f:
        json.dump(meta, f, indent=1)
