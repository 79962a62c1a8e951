#!/usr/bin/env python3
"""Checks the PyTorch seed modules (plugconv_ref.seed_modules) against reference fixtures.

A fixture is <case>.json (module name, constructor args with c1 first) beside <case>.safetensors (`input`,
`output` in eval mode, `state.<key>` tensors, PyTorch NCHW layout). For each one the module is built from the
JSON, loads the state strictly, runs forward in eval mode, and the max |error| against `output` is printed.
Exit 1 when any error exceeds the tolerance (1e-4 + 1e-3*|ref|, element-wise; the printed max is ~1e-6).

    python3 reference/check_seed_modules.py [FIXTURE.json ...]

Without arguments it checks the repository's DSConv fixtures (packages/dsconv/fixtures) and every file named
in --extra-dir (e.g. a folder of ultralytics 8.4 module fixtures, where C3k2_DSConv_*.json live).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plugconv_ref import safetensors_io  # noqa: E402
from plugconv_ref import seed_modules  # noqa: E402

REPO = HERE.parent


def build(name: str, args: list) -> torch.nn.Module:
    cls = getattr(seed_modules, name, None)
    if cls is None:
        raise SystemExit(f"unknown module '{name}' (seed_modules has {', '.join(seed_modules.__all__)})")
    return cls(*args)


def check(case: Path) -> tuple[str, float, bool]:
    spec = json.loads(case.read_text())
    tensors = safetensors_io.load(case.with_suffix(".safetensors"))
    module = build(spec["module"], spec["args"])
    state = {k[len("state.") :]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("state.")}
    module.load_state_dict(state, strict=True)
    params = sum(p.numel() for p in module.parameters())
    if "params" in spec and spec["params"] != params:
        raise SystemExit(f"{case.name}: {params} parameters, the fixture says {spec['params']}")
    module.eval()
    with torch.no_grad():
        y = module(torch.from_numpy(tensors["input"])).numpy()
    ref = tensors["output"]
    if y.shape != ref.shape:
        raise SystemExit(f"{case.name}: output shape {y.shape}, expected {ref.shape}")
    err = np.abs(y.astype(np.float64) - ref)
    ok = bool((err <= 1e-4 + 1e-3 * np.abs(ref)).all())
    return f"{spec['module']}{tuple(spec['args'])}", float(err.max()), ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", type=Path, help="fixture .json files")
    ap.add_argument("--extra-dir", type=Path, action="append", default=[],
                    help="also check every <case>.json there whose module seed_modules defines")
    a = ap.parse_args()
    cases = list(a.cases)
    if not cases:
        cases = sorted((REPO / "packages/dsconv/fixtures").glob("*_*.json"))
        cases = [c for c in cases if c.with_suffix(".safetensors").exists()]
    for d in a.extra_dir:
        for c in sorted(d.glob("*.json")):
            name = json.loads(c.read_text()).get("module")
            if name in seed_modules.__all__ and c.with_suffix(".safetensors").exists():
                cases.append(c)
    if not cases:
        print("no fixtures found", file=sys.stderr)
        return 1
    failed = 0
    for c in cases:
        label, err, ok = check(c)
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {c.name:45s} {label:45s} max|err| {err:.3g}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
