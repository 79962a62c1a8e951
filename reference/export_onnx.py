"""Exports YOLO networks to ONNX through ultralytics' own exporter, for the onnxruntime side of
scripts/bench-ort.mjs (latency of the same network in onnxruntime-web and onnxruntime-node).

    /usr/bin/python3 reference/export_onnx.py                                  # yolov8n, yolo11n, yolo26n
    /usr/bin/python3 reference/export_onnx.py --models yolo26n --imgsz 640 --out reference/.onnx
    /usr/bin/python3 reference/export_onnx.py --weights packages/yolo/weights/shapes-yolo11n-C3k2-DSConv.pt

What it does, per model: `YOLO("<name>.yaml")` (random initial weights, seeded: latency does not depend on the
values) or a trained `.pt`, then `model.export(format="onnx", opset=17, simplify=False, imgsz=640, batch=1)`,
which is ultralytics' path: the model is fused (Conv+BN folded, an end2end head keeps only its one-to-one
branch and ends in its top-k), traced with torch.onnx at a static 1x3x640x640 input. Files land in `--out`
(default reference/.onnx/, git-ignored; ONNX files are never committed) as <name>.onnx with a <name>.json
beside it (ultralytics and torch versions, opset, input and output shapes).

Offline: ultralytics is imported from its fetched source (reference/fetch_ultralytics.sh 8.4.104, or
PLUGCONV_ULTRALYTICS=<folder holding the ultralytics package>) with the settings of
train_demo/ultralytics_setup.py (no sync, no downloads). simplify=False because onnxslim is not installable
here; the exporter's `check_requirements` would try a pip install for anything it finds missing, so it is
replaced by a check that only reports (onnx >= 1.12, which Debian's python3-onnx provides, is all the plain
ONNX export imports).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "train_demo"))

from plugconv_ref.ultralytics_src import source_folder  # noqa: E402
from ultralytics_setup import setup  # noqa: E402

VERSION = "8.4.104"
DEFAULT_MODELS = ("yolov8n", "yolo11n", "yolo26n")


def offline_requirements() -> None:
    """ultralytics' check_requirements installs what is missing with pip; here it only says what is missing."""
    import importlib.metadata as md

    from ultralytics.engine import exporter

    def check(requirements=(), exclude=(), install=True, cmds="", **kwargs):
        for r in [requirements] if isinstance(requirements, str) else requirements:
            name = (r[1] if isinstance(r, tuple) else r).split(">")[0].split("<")[0].split("=")[0].strip()
            try:
                md.version(name)
            except md.PackageNotFoundError:
                print(f"export_onnx: ultralytics asks for '{r}', not installed (no pip here); going on without it")
        return True

    exporter.check_requirements = check


def export(source, name: str, out: Path, imgsz: int, opset: int, seed: int) -> Path:
    import onnx
    import torch
    from ultralytics import YOLO

    torch.manual_seed(seed)
    model = YOLO(source)
    work = out / ".work"
    work.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(work)  # a model built from a YAML is written to the working folder
    try:
        written = Path(model.export(format="onnx", opset=opset, simplify=False, imgsz=imgsz, batch=1, device="cpu"))
        written = written if written.is_absolute() else work / written
    finally:
        os.chdir(cwd)
    target = out / f"{name}.onnx"
    shutil.move(str(written), target)
    m = onnx.load(str(target))
    shape = lambda v: [d.dim_value or d.dim_param for d in v.type.tensor_type.shape.dim]  # noqa: E731
    meta = {
        "source": str(source),
        "ultralytics": __import__("ultralytics").__version__,
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "opset": [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0],
        "simplify": False,
        "inputs": {i.name: shape(i) for i in m.graph.input},
        "outputs": {o.name: shape(o) for o in m.graph.output},
        "nodes": len(m.graph.node),
    }
    target.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"{target}: {meta['outputs']}, {meta['nodes']} nodes, opset {meta['opset']}")
    return target


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated <cfg><scale> names (yolo26n)")
    ap.add_argument("--weights", nargs="*", default=[], type=Path, help="trained .pt files to export too")
    ap.add_argument("--out", type=Path, default=HERE / ".onnx")
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    setup(source_folder(VERSION), out / ".work")
    offline_requirements()
    for name in filter(None, a.models.split(",")):
        export(f"{name}.yaml", name, out, a.imgsz, a.opset, a.seed)
    for pt in a.weights:
        export(str(pt.resolve()), pt.stem, out, a.imgsz, a.opset, a.seed)
    shutil.rmtree(out / ".work", ignore_errors=True)


if __name__ == "__main__":
    main()
