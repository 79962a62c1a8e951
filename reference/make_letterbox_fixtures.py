"""Regenerates @plugconv/yolo's letterbox fixtures (packages/yolo/fixtures/predict/):
- letterbox_resize.safetensors: LetterBox as ultralytics 8.2 computes it (auto=False, centre, pad 114,
  cv2.INTER_LINEAR), written out here with numpy + cv2, on synthetic images that exercise cv2's resize paths
  (downscale, upscale, exact 2x which cv2 runs as INTER_AREA, tall and wide);
- letterbox_auto.safetensors (+ .json): ultralytics 8.4's own LetterBox class, imported from its fetched source,
  as its predictor's pre_transform builds it for a single image of a PyTorch model: auto=True (padding only to
  the next multiple of the stride), stride 32 or 64; the JSON gives each case's shape, imgsz, stride and the
  padding ultralytics computed (get_params).
The source images are a formula the test recomputes, so only the outputs are stored. Needs numpy and
opencv-python (cv2, Debian's python3-opencv); the second file also the ultralytics 8.4 source
(reference/fetch_ultralytics.sh, or PLUGCONV_ULTRALYTICS=<folder>):
    /usr/bin/python3 reference/make_letterbox_fixtures.py [--out DIR]
"""
import argparse
import importlib.util
import json
import sys
import types
from pathlib import Path

import cv2
import numpy as np

from plugconv_ref.safetensors_io import write_safetensors
from plugconv_ref.ultralytics_src import import_ultralytics

DEST = Path(__file__).resolve().parent.parent / "packages" / "yolo" / "fixtures" / "predict"

# (name, height, width, imgsz)
CASES = [
    ("down_750x1000_416", 750, 1000, 416),
    ("up_150x200_320", 150, 200, 320),
    ("half_640x480_320", 640, 480, 320),
    ("odd_333x517_320", 333, 517, 320),
    ("tall_97x61_256", 97, 61, 256),
]

# (name, height, width, imgsz, stride): ultralytics' predict letterbox (auto) for one image
AUTO_CASES = [
    ("auto_750x1000_320", 750, 1000, 320, 32),
    ("auto_333x517_320", 333, 517, 320, 32),
    ("auto_97x61_256", 97, 61, 256, 32),
    ("auto_300x451_320", 300, 451, 320, 32),
    ("auto_360x640_320_s64", 360, 640, 320, 64),
    ("auto_1080x1920_256", 1080, 1920, 256, 32),
    ("auto_240x320_320", 240, 320, 320, 32),
]


def synthetic(h: int, w: int) -> np.ndarray:
    """The test image: ((x*37 + y*91 + c*53) ^ ((x*y) >> 3)) & 255, RGB (H, W, 3) uint8."""
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return (((x * 37 + y * 91 + c * 53) ^ ((x * y) >> 3)) & 255).astype(np.uint8)


def letterbox(img: np.ndarray, size: int) -> np.ndarray:
    """ultralytics 8.2 LetterBox(new_shape=(size, size), auto=False, scaleup=True, center=True)."""
    shape = img.shape[:2]
    r = min(size / shape[0], size / shape[1])
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = (size - new_unpad[0]) / 2, (size - new_unpad[1]) / 2
    if shape[::-1] != new_unpad:
        img = cv2.resize(img, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    return cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))


def ultralytics_auto(dest: Path) -> None:
    """letterbox_auto.safetensors/.json: ultralytics 8.4's LetterBox(imgsz, auto=True, stride) on each case."""
    import_ultralytics("8.4.104")
    # ultralytics.data imports filelock for a dataset cache lock the letterbox never takes
    if importlib.util.find_spec("filelock") is None:
        sys.modules["filelock"] = types.SimpleNamespace(AsyncFileLock=None, FileLock=None, Timeout=TimeoutError)
    from ultralytics.data.augment import LetterBox

    out, cases = {}, []
    for name, h, w, size, stride in AUTO_CASES:
        lb = LetterBox((size, size), auto=True, stride=stride)
        img = synthetic(h, w)
        p = lb.get_params({"img": img})
        out[name] = lb(image=img)
        cases.append({"name": name, "shape": [h, w], "imgsz": size, "stride": stride, "letterboxed": list(out[name].shape[:2]),
                      "ratio": p["ratio"][0], "resized": [p["new_unpad"][1], p["new_unpad"][0]],
                      "pad": {k: p[k] for k in ("top", "bottom", "left", "right")}})
    import ultralytics

    write_safetensors(dest / "letterbox_auto.safetensors", out, {"cv2": cv2.__version__, "ultralytics": ultralytics.__version__})
    (dest / "letterbox_auto.json").write_text(json.dumps({"ultralytics": ultralytics.__version__, "cv2": cv2.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {dest / 'letterbox_auto.safetensors'} with ultralytics {ultralytics.__version__}, cv2 {cv2.__version__}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEST, help="folder to write into (default: the yolo package's fixtures/predict)")
    dest = parser.parse_args().out
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, h, w, size in CASES:
        out[name] = letterbox(synthetic(h, w), size)
    meta = {"cv2": cv2.__version__, "cases": json.dumps([list(c) for c in CASES])}
    write_safetensors(dest / "letterbox_resize.safetensors", out, meta)
    print(f"wrote {dest / 'letterbox_resize.safetensors'} with cv2 {cv2.__version__}")
    ultralytics_auto(dest)
