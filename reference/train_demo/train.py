#!/usr/bin/env python3
"""Trains yolo11n with C3k2_DSConv on the shapes data set, on CPU, with a fetched ultralytics source tree.

    python3 train.py --ultralytics ULTRALYTICS_SRC [--work DIR] [--epochs 18] [--train 800] [--val 150]

ULTRALYTICS_SRC (or the env var of that name) is a clone of ultralytics (the folder holding the `ultralytics`
package), see README.md. Everything is written under --work (default: ./work, git-ignored): the data set, the
model YAML, ultralytics' settings, runs/train/weights/best.pt and summary.json (times, mAP, params, sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_dataset import CLASSES, make  # noqa: E402
from ultralytics_setup import setup  # noqa: E402

MODEL_NAME = "yolo11n-C3k2-DSConv"


def model_yaml(ultralytics_src: Path, out: Path, nc: int) -> Path:
    """yolo11.yaml of the source tree with every C3k2 row turned into C3k2_DSConv and nc set; the file name
    carries the scale (n), which is how ultralytics picks it."""
    import yaml

    d = yaml.safe_load((ultralytics_src / "ultralytics/cfg/models/11/yolo11.yaml").read_text())
    d["nc"] = nc
    replaced = 0
    for row in d["backbone"] + d["head"]:
        if row[2] == "C3k2":
            row[2] = "C3k2_DSConv"
            replaced += 1
    if replaced == 0:
        raise SystemExit("yolo11.yaml has no C3k2 rows; the source tree is not the expected ultralytics")
    path = out / f"{MODEL_NAME}.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    return path


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ultralytics", type=Path, default=os.environ.get("ULTRALYTICS_SRC"), help="ultralytics source tree")
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--epochs", type=int, default=18)
    ap.add_argument("--train", type=int, default=800, help="training images")
    ap.add_argument("--val", type=int, default=150, help="validation images")
    ap.add_argument("--imgsz", type=int, default=320)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.ultralytics is None:
        raise SystemExit("give the ultralytics source tree: --ultralytics DIR or ULTRALYTICS_SRC=DIR")
    work = a.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    setup(a.ultralytics, work)
    import torch
    from ultralytics import YOLO

    t0, c0 = time.time(), cpu_seconds()
    data_dir = work / "shapes"
    if not (data_dir / "data.yaml").exists():
        make(data_dir, a.train, a.val, a.seed)
    t_data = time.time() - t0

    cfg = model_yaml(a.ultralytics.resolve(), work, len(CLASSES))
    model = YOLO(str(cfg), task="detect")
    t1, c1 = time.time(), cpu_seconds()
    model.train(
        data=str(data_dir / "data.yaml"),
        epochs=a.epochs,
        imgsz=a.imgsz,
        batch=a.batch,
        device="cpu",
        workers=0,
        amp=False,
        plots=False,
        seed=a.seed,
        deterministic=True,
        project=str(work / "runs"),
        name="train",
        exist_ok=True,
        cache="ram",
        close_mosaic=max(1, a.epochs // 4),
        nbs=a.batch,  # one optimizer step per batch (the default nbs=64 would accumulate 4 batches of 16)
        verbose=True,
    )
    t_train, c_train = time.time() - t1, cpu_seconds() - c1
    run_dir = Path(model.trainer.save_dir)
    best = run_dir / "weights" / "best.pt"

    # ultralytics' own validation of best.pt on the val split
    metrics = YOLO(str(best)).val(data=str(data_dir / "data.yaml"), imgsz=a.imgsz, batch=a.batch, device="cpu",
                                  workers=0, plots=False, verbose=True)
    ckpt = torch.load(best, map_location="cpu", weights_only=False) if "weights_only" in torch.load.__code__.co_varnames else torch.load(best, map_location="cpu")
    net = ckpt["model"]
    summary = {
        "model": MODEL_NAME,
        "ultralytics": __import__("ultralytics").__version__,
        "torch": torch.__version__,
        "classes": CLASSES,
        "epochs": a.epochs,
        "train_images": a.train,
        "val_images": a.val,
        "imgsz": a.imgsz,
        "batch": a.batch,
        "seed": a.seed,
        "torch_threads": torch.get_num_threads(),  # ultralytics trains on cpu_count - 1 threads
        "cpu": platform.processor() or platform.machine(),
        "nice": os.nice(0),
        "dataset_wall_s": round(t_data, 1),
        "train_wall_s": round(t_train, 1),
        "train_cpu_s": round(c_train, 1),
        "total_wall_s": round(time.time() - t0, 1),
        "total_cpu_s": round(cpu_seconds() - c0, 1),
        "val_mAP50": round(float(metrics.box.map50), 4),
        "val_mAP50_95": round(float(metrics.box.map), 4),
        "val_precision": round(float(metrics.box.mp), 4),
        "val_recall": round(float(metrics.box.mr), 4),
        "val_per_class_mAP50_95": {CLASSES[i]: round(float(v), 4) for i, v in enumerate(metrics.box.maps)},
        "params": sum(p.numel() for p in net.parameters()),
        "best_epoch": ckpt.get("epoch"),
        "best_pt": str(best),
        "best_pt_bytes": best.stat().st_size,
        "names": net.names,
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
