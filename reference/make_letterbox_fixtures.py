"""Regenerates packages/yolo/fixtures/predict/letterbox_resize.safetensors: ultralytics' LetterBox (auto=False, centre,
pad 114, cv2.INTER_LINEAR) on synthetic images that exercise cv2's resize paths (downscale, upscale, exact 2x
which cv2 runs as INTER_AREA, tall and wide). The source images are a formula the test recomputes, so only the
outputs are stored. Needs numpy and opencv-python (cv2, Debian's python3-opencv):
    /usr/bin/python3 reference/make_letterbox_fixtures.py [--out FILE]
"""
import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from plugconv_ref.safetensors_io import write_safetensors

DEST = Path(__file__).resolve().parent.parent / "packages" / "yolo" / "fixtures" / "predict" / "letterbox_resize.safetensors"

# (name, height, width, imgsz)
CASES = [
    ("down_750x1000_416", 750, 1000, 416),
    ("up_150x200_320", 150, 200, 320),
    ("half_640x480_320", 640, 480, 320),
    ("odd_333x517_320", 333, 517, 320),
    ("tall_97x61_256", 97, 61, 256),
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEST, help="file to write (default: the yolo package's fixture)")
    dest = parser.parse_args().out
    out = {}
    for name, h, w, size in CASES:
        out[name] = letterbox(synthetic(h, w), size)
    meta = {"cv2": cv2.__version__, "cases": json.dumps([list(c) for c in CASES])}
    write_safetensors(dest, out, meta)
    print(f"wrote {dest} ({dest.stat().st_size} bytes) with cv2 {cv2.__version__}")
