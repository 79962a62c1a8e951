#!/usr/bin/env python3
"""Makes the "shapes on photographs" detection data set (YOLO format), deterministically from a seed.

Backgrounds are the photographs that ship with scikit-image (Debian: python3-skimage): random crops, flips,
colour jitter, grey photos tinted. On them: 1-8 filled shapes of CLASSES in random colours, sizes and
rotations, some overlapping (no object loses more than half of itself to later ones), some partly out of
frame (at least 40% inside); the label is the box of the shape's part inside the picture.

Splits (no background pixels shared between training and the rest):
- train: crops from the left 75% of the TRAIN_PHOTOS;
- val: crops from the right 25% of the TRAIN_PHOTOS and from HELD_OUT_PHOTOS;
- held-out demo images (HELD_OUT_SPECS): whole or cropped HELD_OUT_PHOTOS, PNG, never used in training.

    python3 make_dataset.py OUT_DIR [--train 800] [--val 150] [--seed 0]

Writes OUT_DIR/{images,labels}/{train,val}/*, OUT_DIR/heldout/*.png (+ .txt labels) and OUT_DIR/data.yaml.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import cv2
import numpy as np
from skimage import data as skdata

CLASSES = ["circle", "square", "triangle", "star"]

TRAIN_PHOTOS = [
    "astronaut", "hubble_deep_field", "retina", "immunohistochemistry", "motorcycle_left",
    "camera", "brick", "grass", "gravel", "moon", "coins", "clock", "cell", "page", "text",
]
HELD_OUT_PHOTOS = ["chelsea", "coffee", "rocket"]
# held-out demo images: (name, photo, crop as fractions (y0, y1, x0, x1) of the photo, output (height, width))
HELD_OUT_SPECS = [
    ("chelsea", "chelsea", (0.0, 1.0, 0.0, 1.0), (240, 360)),
    ("coffee", "coffee", (0.0, 1.0, 0.0, 1.0), (256, 384)),
    ("rocket-portrait", "rocket", (0.0, 1.0, 0.3, 0.75), (400, 256)),
    ("coffee-square", "coffee", (0.1, 0.9, 0.35, 0.9), (288, 288)),
    ("chelsea-wide", "chelsea", (0.2, 0.8, 0.0, 1.0), (200, 400)),
]
TRAIN_FRACTION = 0.75  # of each training photo's width, from the left


def load_photo(name: str) -> np.ndarray:
    """An RGB uint8 photo from skimage.data (grey ones as 3 equal channels)."""
    img = skdata.stereo_motorcycle()[0] if name == "motorcycle_left" else getattr(skdata, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[..., :3]).astype(np.uint8)


def jitter_colours(img: np.ndarray, rng: np.random.Generator, grey: bool) -> np.ndarray:
    x = img.astype(np.float32) / 255.0
    if grey and rng.random() < 0.7:  # tint a grey photo
        tint = rng.uniform(0.4, 1.0, size=3).astype(np.float32)
        x = x * tint / tint.max()
    hsv = cv2.cvtColor(x, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-20, 20)) % 360
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.6, 1.3), 0, 1)
    x = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    x = (x - 0.5) * rng.uniform(0.7, 1.3) + 0.5 + rng.uniform(-0.15, 0.15)
    return (np.clip(x, 0, 1) * 255).astype(np.uint8)


def random_background(photo: np.ndarray, region, size, rng: np.random.Generator, grey: bool) -> np.ndarray:
    """A random crop of photo[region] (fractions y0, y1, x0, x1) resized to `size` (h, w), flipped, jittered."""
    h, w = photo.shape[:2]
    y0, y1, x0, x1 = int(region[0] * h), int(region[1] * h), int(region[2] * w), int(region[3] * w)
    rh, rw = y1 - y0, x1 - x0
    out_h, out_w = size
    aspect = out_w / out_h
    scale = rng.uniform(0.35, 1.0)
    ch = int(min(rh, rw / aspect) * scale)
    cw = int(ch * aspect)
    ch, cw = max(ch, 16), max(cw, 16)
    cy = y0 + int(rng.integers(0, max(rh - ch, 0) + 1))
    cx = x0 + int(rng.integers(0, max(rw - cw, 0) + 1))
    crop = photo[cy : cy + ch, cx : cx + cw]
    crop = cv2.resize(crop, (out_w, out_h), interpolation=cv2.INTER_AREA if ch > out_h else cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return jitter_colours(np.ascontiguousarray(crop), rng, grey)


def shape_polygon(cls: str, cx: float, cy: float, r: float, angle: float, rng: np.random.Generator):
    """Vertices of a shape of circumradius r (None for the circle)."""
    if cls == "circle":
        return None
    if cls == "square":
        k, radii = 4, [r]
    elif cls == "triangle":
        k, radii = 3, [r]
    else:  # star: 5 points, inner radius 0.38-0.5 of the outer
        k, radii = 10, [r, r * rng.uniform(0.38, 0.5)]
    pts = []
    for i in range(k):
        a = angle + 2 * math.pi * i / k
        rr = radii[i % len(radii)]
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return np.array(pts)


def shape_mask(cls: str, cx, cy, r, angle, canvas_hw, rng) -> np.ndarray:
    """Anti-aliased coverage (float32, 0..1) of a shape on a canvas, drawn with 4 bits of sub-pixel precision."""
    shift = 4
    m = np.zeros(canvas_hw, np.uint8)
    poly = shape_polygon(cls, cx, cy, r, angle, rng)
    if poly is None:
        cv2.circle(m, (int(round(cx * 16)), int(round(cy * 16))), int(round(r * 16)), 255, -1, cv2.LINE_AA, shift)
    else:
        cv2.fillPoly(m, [np.round(poly * 16).astype(np.int32)], 255, cv2.LINE_AA, shift)
    return m.astype(np.float32) / 255.0


def random_colour(rng: np.random.Generator) -> np.ndarray:
    hsv = np.array([[[rng.uniform(0, 360), rng.uniform(0.45, 1.0), rng.uniform(0.35, 1.0)]]], np.float32)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0] * 255.0


def draw_objects(img: np.ndarray, rng: np.random.Generator, min_objects: int = 1, max_objects: int = 8, noise: bool = True):
    """Draws min..max_objects shapes on img (in place); returns [(class index, x1, y1, x2, y2)] in pixels."""
    h, w = img.shape[:2]
    pad = int(max(h, w) * 0.25)
    big = (h + 2 * pad, w + 2 * pad)
    n = int(rng.integers(min_objects, max_objects + 1))
    objects = []  # (cls, full in-frame mask, visible mask)
    canvas = img.astype(np.float32)
    for _ in range(n):
        for _try in range(30):
            cls = int(rng.integers(len(CLASSES)))
            r = math.exp(rng.uniform(math.log(0.035), math.log(0.2))) * min(h, w) + 4
            cx = rng.uniform(-0.3 * r, w + 0.3 * r)
            cy = rng.uniform(-0.3 * r, h + 0.3 * r)
            angle = rng.uniform(0, 2 * math.pi)
            full = shape_mask(CLASSES[cls], cx + pad, cy + pad, r, angle, big, rng)
            inside = full[pad : pad + h, pad : pad + w]
            if inside.sum() < 0.4 * full.sum() or inside.sum() < 40:
                continue
            hit = inside > 0.5
            if any((o[2] & ~hit).sum() < 0.5 * o[1].sum() for o in objects):
                continue  # would hide more than half of an earlier object
            break
        else:
            continue
        colour = random_colour(rng)
        alpha = inside * rng.uniform(0.85, 1.0)
        canvas = canvas * (1 - alpha[..., None]) + colour * alpha[..., None]
        if rng.random() < 0.35:  # darker outline
            edge = cv2.morphologyEx((inside * 255).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
            e = edge.astype(np.float32)[..., None] / 255.0
            canvas = canvas * (1 - e) + colour * rng.uniform(0.3, 0.6) * e
        for o in objects:
            o[2] &= ~hit
        objects.append([cls, hit, hit.copy()])
    if rng.random() < 0.5:
        canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.3, 0.9))
    if noise:
        canvas = canvas + rng.normal(0, rng.uniform(0, 5), canvas.shape)
    img[:] = np.clip(np.round(canvas), 0, 255).astype(np.uint8)
    labels = []
    for cls, hit, _ in objects:
        ys, xs = np.nonzero(hit)
        labels.append((cls, float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)))
    return labels


def write_sample(img: np.ndarray, labels, image_path: Path, label_path: Path, quality: int | None = 92) -> None:
    h, w = img.shape[:2]
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if quality else [cv2.IMWRITE_PNG_COMPRESSION, 9]
    cv2.imwrite(str(image_path), bgr, params)
    lines = [
        f"{c} {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}"
        for c, x1, y1, x2, y2 in labels
    ]
    label_path.write_text("\n".join(lines) + ("\n" if lines else ""))


def random_size(rng: np.random.Generator, long_side: int = 320):
    aspect = [1.0, 4 / 3, 3 / 4, 3 / 2, 2 / 3][int(rng.integers(5))]
    return (long_side, int(round(long_side * aspect / 8)) * 8) if aspect < 1 else (int(round(long_side / aspect / 8)) * 8, long_side)


def make_held_out(held: Path, photos: dict, seed: int) -> None:
    """The held-out demo images (PNG, no added noise, 3-6 objects), from their own random stream."""
    rng = np.random.default_rng([seed, 1])
    held.mkdir(parents=True, exist_ok=True)
    for name, photo, (y0, y1, x0, x1), (oh, ow) in HELD_OUT_SPECS:
        p = photos[photo]
        h, w = p.shape[:2]
        crop = p[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]
        img = np.ascontiguousarray(cv2.resize(crop, (ow, oh), interpolation=cv2.INTER_AREA))
        labels = draw_objects(img, rng, min_objects=3, max_objects=6, noise=False)
        write_sample(img, labels, held / f"{name}.png", held / f"{name}.txt", quality=None)


def make(out: Path, n_train: int, n_val: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    photos = {name: load_photo(name) for name in TRAIN_PHOTOS + HELD_OUT_PHOTOS}
    grey = {name: bool((p[..., 0] == p[..., 1]).all() and (p[..., 1] == p[..., 2]).all()) for name, p in photos.items()}
    for split in ("train", "val"):
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "labels" / split).mkdir(parents=True, exist_ok=True)
    plan = [("train", i, TRAIN_PHOTOS[i % len(TRAIN_PHOTOS)], (0.0, 1.0, 0.0, TRAIN_FRACTION)) for i in range(n_train)]
    val_sources = [(p, (0.0, 1.0, TRAIN_FRACTION, 1.0)) for p in TRAIN_PHOTOS] + [(p, (0.0, 1.0, 0.0, 1.0)) for p in HELD_OUT_PHOTOS]
    plan += [("val", i, *val_sources[i % len(val_sources)]) for i in range(n_val)]
    for split, i, photo, region in plan:
        size = random_size(rng)
        img = random_background(photos[photo], region, size, rng, grey[photo])
        labels = draw_objects(img, rng)
        stem = f"{split}_{i:05d}_{photo}"
        write_sample(img, labels, out / "images" / split / f"{stem}.jpg", out / "labels" / split / f"{stem}.txt")
    make_held_out(out / "heldout", photos, seed)
    (out / "data.yaml").write_text(
        f"path: {out.resolve()}\ntrain: images/train\nval: images/val\nnames:\n"
        + "".join(f"  {i}: {c}\n" for i, c in enumerate(CLASSES))
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--train", type=int, default=800)
    ap.add_argument("--val", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--held-out-only", action="store_true", help="only (re)write OUT_DIR/heldout")
    a = ap.parse_args()
    if a.held_out_only:
        make_held_out(a.out / "heldout", {n: load_photo(n) for n in HELD_OUT_PHOTOS}, a.seed)
        print(f"wrote {len(HELD_OUT_SPECS)} held-out images to {a.out / 'heldout'}")
        return
    make(a.out, a.train, a.val, a.seed)
    print(f"wrote {a.train} train, {a.val} val, {len(HELD_OUT_SPECS)} held-out images to {a.out}")


if __name__ == "__main__":
    main()
