#!/usr/bin/env python3
"""Ships the trained model and what ultralytics predicts with it, as fixtures for plugconv's predict tests.

    python3 export_fixtures.py --ultralytics ULTRALYTICS_SRC [--work DIR] [--repo REPO_ROOT]

From --work (what train.py wrote) it copies runs/train/weights/best.pt to
packages/yolo/weights/shapes-yolo11n-C3k2-DSConv.pt and the held-out images to packages/yolo/fixtures/demo/,
then writes there:
- ultralytics-predict.json: per image ultralytics' predict boxes (xyxy in original-image pixels, score, class,
  name) at imgsz 320, conf 0.25, iou 0.7, with the letterbox predict used for that single image (auto: minimal
  padding to a stride multiple; shape, ratio, padding), the ground-truth labels, and predict's timings;
- ultralytics-raw-<image>.safetensors for one image: `input` (the letterboxed (1, 3, H, W) float32 tensor,
  RGB in 0..1) and `output` (the model's (1, 4 + nc, anchors) eval output on it, computed by the checkpoint's
  fp16 weights in fp32, without ultralytics' Conv+BN fusion); `output_fused` is what predict itself ran
  (fused), for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_dataset import CLASSES  # noqa: E402
from ultralytics_setup import setup  # noqa: E402

WEIGHTS_NAME = "shapes-yolo11n-C3k2-DSConv.pt"
IMGSZ, CONF, IOU = 320, 0.25, 0.7
RAW_IMAGE = "chelsea-wide"
TIMING_RUNS = 10


def read_labels(path: Path, h: int, w: int):
    out = []
    for line in path.read_text().split("\n"):
        if line.strip():
            c, x, y, bw, bh = line.split()
            x, y, bw, bh = float(x) * w, float(y) * h, float(bw) * w, float(bh) * h
            out.append({"box": [round(x - bw / 2, 2), round(y - bh / 2, 2), round(x + bw / 2, 2), round(y + bh / 2, 2)],
                        "class": int(c), "name": CLASSES[int(c)]})
    return out


def decision_margins(out, conf: float, iou: float) -> dict:
    """How far this image's predict is from a knife edge: over the anchors whose best class score passes `conf`
    (NMS candidates), the smallest |score - conf| of any anchor (candidate or not), and the smallest
    |IoU - iou| over same-class candidate pairs. A port whose numbers differ by less than these gets the same
    detections."""
    import numpy as np

    p = out[0].numpy().astype(np.float64)  # (4 + nc, anchors): xywh, class scores
    scores = p[4:].max(0)
    classes = p[4:].argmax(0)
    keep = scores > conf
    xy, wh = p[:2, keep].T, p[2:4, keep].T
    boxes = np.concatenate([xy - wh / 2, xy + wh / 2], 1)
    cls = classes[keep]
    best = float("inf")
    for c in np.unique(cls):
        b = boxes[cls == c]
        lt = np.maximum(b[:, None, :2], b[None, :, :2])
        rb = np.minimum(b[:, None, 2:], b[None, :, 2:])
        inter = np.prod(np.clip(rb - lt, 0, None), 2)
        area = np.prod(b[:, 2:] - b[:, :2], 1)
        ious = inter / (area[:, None] + area[None, :] - inter)
        iu = np.triu_indices(len(b), 1)
        if len(iu[0]):
            best = min(best, float(np.abs(ious[iu] - iou).min()))
    return {"score": round(float(np.abs(scores - conf).min()), 6), "iou": None if best == float("inf") else round(best, 6),
            "candidates": int(keep.sum())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ultralytics", type=Path, default=os.environ.get("ULTRALYTICS_SRC"), help="ultralytics source tree")
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--repo", type=Path, default=HERE.parent.parent, help="plugconv repository root")
    a = ap.parse_args()
    if a.ultralytics is None:
        raise SystemExit("give the ultralytics source tree: --ultralytics DIR or ULTRALYTICS_SRC=DIR")
    work = a.work.resolve()
    setup(a.ultralytics, work)
    import cv2
    import numpy as np
    import torch
    from ultralytics import YOLO
    from ultralytics.data.augment import LetterBox

    from plugconv_ref import safetensors_io

    best = work / "runs/train/weights/best.pt"
    weights_dir = a.repo / "packages/yolo/weights"
    demo_dir = a.repo / "packages/yolo/fixtures/demo"
    weights_dir.mkdir(parents=True, exist_ok=True)
    demo_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(best, weights_dir / WEIGHTS_NAME)

    model = YOLO(str(best))
    net = torch.load(best, map_location="cpu")["model"].float().eval()  # the checkpoint's weights, unfused
    names = model.names
    images = sorted((work / "shapes/heldout").glob("*.png"))
    records = []
    for path in images:
        shutil.copyfile(path, demo_dir / path.name)
        im0 = cv2.imread(str(path))  # BGR, as ultralytics loads a file source
        h, w = im0.shape[:2]
        speeds = []
        for _ in range(TIMING_RUNS):
            r = model.predict(str(path), imgsz=IMGSZ, conf=CONF, iou=IOU, device="cpu", verbose=False)[0]
            speeds.append(r.speed)
        predictor = model.predictor
        stride = int(max(np.atleast_1d(np.asarray(predictor.model.stride, dtype=float))))
        lb = LetterBox(predictor.imgsz, auto=True, stride=stride)
        p = lb.get_params({"img": im0})
        x = predictor.preprocess([im0])
        letterboxed = [int(x.shape[2]), int(x.shape[3])]
        if letterboxed != [p["new_unpad"][1] + p["top"] + p["bottom"], p["new_unpad"][0] + p["left"] + p["right"]]:
            raise SystemExit(f"{path.name}: predict's input {letterboxed} is not the auto letterbox {p}")
        boxes = r.boxes
        records.append({
            "image": path.name,
            "shape": [h, w],
            "letterbox": {
                "imgsz": list(predictor.imgsz),
                "auto": True,
                "stride": stride,
                "shape": letterboxed,
                "ratio": p["ratio"][0],
                "resized": [p["new_unpad"][1], p["new_unpad"][0]],
                "pad": {"top": p["top"], "bottom": p["bottom"], "left": p["left"], "right": p["right"]},
                "pad_value": 114,
                "interpolation": "bilinear (cv2.INTER_LINEAR)",
            },
            "detections": [
                {"box": [round(float(v), 4) for v in b], "score": round(float(s), 6), "class": int(c), "name": names[int(c)]}
                for b, s, c in zip(boxes.xyxy.tolist(), boxes.conf.tolist(), boxes.cls.tolist())
            ],
            "labels": read_labels(path.with_suffix(".txt"), h, w),
            "speed_ms": {k: round(statistics.median(s[k] for s in speeds), 2) for k in speeds[0]},
            "inference_ms_min": round(min(s["inference"] for s in speeds), 2),
        })
        with torch.no_grad():
            out = net(x)[0]
        records[-1]["margins"] = decision_margins(out, CONF, IOU)
        if path.stem == RAW_IMAGE:
            with torch.no_grad():
                fused = predictor.model(x)
                fused = fused[0] if isinstance(fused, (list, tuple)) else fused
            raw_name = f"ultralytics-raw-{path.stem}.safetensors"
            safetensors_io.write_safetensors(
                demo_dir / raw_name,
                {"input": x.float(), "output": out.float(), "output_fused": fused.float()},
                {"image": path.name, "weights": WEIGHTS_NAME, "ultralytics": __import__("ultralytics").__version__,
                 "letterbox": json.dumps(records[-1]["letterbox"])},
            )
            raw = {"image": path.name, "file": raw_name, "input_shape": list(x.shape), "output_shape": list(out.shape),
                   "max_abs_diff_fused_vs_unfused": float((out - fused).abs().max())}

    doc = {
        "weights": WEIGHTS_NAME,
        "ultralytics": __import__("ultralytics").__version__,
        "torch": torch.__version__,
        "names": {str(k): v for k, v in names.items()},
        "imgsz": IMGSZ,
        "conf": CONF,
        "iou": IOU,
        "letterbox_rule": "r = min(imgsz/h, imgsz/w); resized = (round(h*r), round(w*r)); padding to the next "
        "multiple of the stride, split in two: top = round(dh/2 - 0.1), bottom = round(dh/2 + 0.1), likewise "
        "left/right; pad value 114; BGR->RGB, /255",
        "boxes": "xyxy in original-image pixels (after scale_boxes and clipping), NMS per class",
        "speed_ms_note": f"median (and the fastest inference) of {TIMING_RUNS} predict calls per image on CPU, "
        "ultralytics' own timers, torch on ultralytics' default threads; the machine was shared, so these vary",
        "margins_note": "per image: smallest |score - conf| over all anchors (best class), smallest |IoU - iou| over "
        "same-class pairs of NMS candidates (score > conf); a port that differs by less decides the same",
        "raw": raw,
        "images": records,
    }
    (demo_dir / "ultralytics-predict.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(json.dumps({k: v for k, v in doc.items() if k != "images"}, indent=1))
    for rec in records:
        print(rec["image"], rec["shape"], "->", rec["letterbox"]["shape"], f"{len(rec['detections'])} detections,",
              f"{len(rec['labels'])} labels,", rec["speed_ms"], "min", rec["inference_ms_min"], "margins", rec["margins"])


if __name__ == "__main__":
    main()
