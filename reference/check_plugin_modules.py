#!/usr/bin/env python3
"""Checks the PyTorch plug-in modules (plugconv_ref.plugin_modules) against reference fixtures.

A fixture is <case>.json (module name, constructor args with c1 first) beside <case>.safetensors (`input`,
`output` in eval mode, `state.<key>` tensors, PyTorch NCHW layout). For each one the module is built from the
JSON, loads the state strictly, runs forward in eval mode, and the max |error| against `output` is printed.
Exit 1 when any error exceeds the tolerance (1e-4 + 1e-3*|ref|, element-wise; the printed max is ~1e-6).

    python3 reference/check_plugin_modules.py [FIXTURE.json ...]

Without fixture arguments it checks every module fixture under packages/*/fixtures whose module
plugconv_ref.plugin_modules defines, plus those in each --extra-dir (e.g. a folder of ultralytics 8.4 module
fixtures, where C3k2_DSConv_*.json live).

With --ultralytics SRC (an ultralytics source tree, see train_demo/README.md) and --model-dir DIR, whole-model
fixtures there (<cfg>-<scale>.json naming a YAML that uses plug-in modules, with `input`, `output` and
`state.model.*`) are built by ultralytics' own parse_model with the plug-in modules registered
(train_demo/ultralytics_setup.py) and compared too; box rows in grid cells (divided by the anchor's stride).
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
from plugconv_ref import plugin_modules  # noqa: E402

REPO = HERE.parent


def build(name: str, args: list) -> torch.nn.Module:
    cls = getattr(plugin_modules, name, None)
    if cls is None:
        raise SystemExit(f"unknown module '{name}' (plugin_modules has {', '.join(plugin_modules.__all__)})")
    return cls(*args)


def check(case: Path) -> tuple[str, float, bool]:
    spec = json.loads(case.read_text())
    tensors = safetensors_io.read_safetensors(case.with_suffix(".safetensors"))[0]
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


def detection_strides(model, input_shape) -> np.ndarray:
    h, w = input_shape[2:]
    return np.concatenate([np.full((h // int(s)) * (w // int(s)), float(s)) for s in model.stride])


def check_model(case: Path, ultralytics_src: Path) -> tuple[str, float, bool] | None:
    spec = json.loads(case.read_text())
    cfg = case.parent / spec.get("cfg", "")
    if not cfg.is_file():
        return None
    import yaml

    d = yaml.safe_load(cfg.read_text())
    rows = [r[2] for r in d["backbone"] + d["head"]]
    sys.path.insert(0, str(HERE / "train_demo"))
    from ultralytics_setup import STANDS_IN_FOR, setup

    if not any(r in STANDS_IN_FOR for r in rows):
        return None
    if spec.get("ultralytics", "8.2.82") != "8.4.104":
        print(f"skip {case.name}: made by ultralytics {spec.get('ultralytics', '8.2.82')}, the tree given is 8.4")
        return None

    setup(ultralytics_src, Path("/tmp") / f"plugconv-ref-{Path.home().name}")
    from ultralytics.nn import tasks
    from ultralytics.nn.tasks import DetectionModel

    if any(not r.startswith("nn.") and not hasattr(tasks, r) for r in rows):
        return None  # uses modules of another plug-in family

    d["scale"] = spec["scale"]
    if "scales_t" in spec:
        d["scales"][spec["scale"]] = spec["scales_t"]
    tensors = safetensors_io.read_safetensors(case.with_suffix(".safetensors"))[0]
    model = DetectionModel(d, ch=spec["input_shape"][1], verbose=False)
    state = {k[len("state.") :]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("state.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"{case.name}: state keys differ: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(tensors["input"]))
    y = (y[0] if isinstance(y, (list, tuple)) else y).numpy().astype(np.float64)
    ref = tensors["output"].astype(np.float64)
    if y.shape != ref.shape:
        raise SystemExit(f"{case.name}: output shape {y.shape}, expected {ref.shape}")
    stride = detection_strides(model, spec["input_shape"])
    y[:, :4] /= stride
    ref[:, :4] /= stride
    err = np.abs(y - ref)
    ok = bool((err <= 1e-4 + 1e-3 * np.abs(ref)).all())
    return f"{spec['cfg']} scale {spec['scale']}", float(err.max()), ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", type=Path, help="fixture .json files")
    ap.add_argument("--extra-dir", type=Path, action="append", default=[],
                    help="also check every <case>.json there whose module plugin_modules defines")
    ap.add_argument("--ultralytics", type=Path, help="ultralytics source tree, for whole-model fixtures")
    ap.add_argument("--model-dir", type=Path, action="append", default=[],
                    help="whole-model fixtures (<cfg>-<scale>.json + .safetensors); needs --ultralytics")
    a = ap.parse_args()
    cases = list(a.cases)
    found = sorted(REPO.glob("packages/*/fixtures/**/*.json")) if not cases else []
    for d in a.extra_dir:
        found += sorted(d.glob("*.json"))
    for c in found:
        if c.with_suffix(".safetensors").exists() and json.loads(c.read_text()).get("module") in plugin_modules.__all__:
            cases.append(c)
    if not cases:
        print("no fixtures found", file=sys.stderr)
        return 1
    failed = 0
    for c in cases:
        label, err, ok = check(c)
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {c.name:45s} {label:45s} max|err| {err:.3g}")
    if a.model_dir and a.ultralytics is None:
        raise SystemExit("--model-dir needs --ultralytics SRC")
    models = [c for d in a.model_dir for c in sorted(d.glob("*.json"))]
    if a.ultralytics and not a.cases:
        models += [c for c in sorted(REPO.glob("packages/*/fixtures/**/*.json")) if c.with_suffix(".safetensors").exists()
                   and "cfg" in json.loads(c.read_text())]
    for c in dict.fromkeys(models):
        result = check_model(c, a.ultralytics)
        if result is None:
            continue
        label, err, ok = result
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {c.name:45s} {label:45s} max|err| {err:.3g} (boxes in grid cells)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
