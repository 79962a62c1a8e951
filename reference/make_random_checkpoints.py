"""Writes ultralytics checkpoints (best.pt layout) of randomly initialised networks, for the cold-start benchmark
(scripts/bench-cold.mjs and scripts/bench-browser.mjs time loading a real best.pt; the values do not change
the work).

    /usr/bin/python3 reference/make_random_checkpoints.py OUT_DIR yolov8n yolo26n

Per name: `YOLO("<name>.yaml")` from the fetched ultralytics source (imported offline as reference/export_onnx.py
does), seeded, saved the way ultralytics' trainer saves best.pt: the model in half precision under `model`,
no EMA or optimizer, epoch -1 (a stripped checkpoint).
"""

import sys
from copy import deepcopy
from datetime import datetime
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent
sys.path.insert(0, str(REFERENCE))
sys.path.insert(0, str(REFERENCE / "train_demo"))

from plugconv_ref.ultralytics_src import source_folder  # noqa: E402
from ultralytics_setup import setup  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    setup(source_folder("8.4.104"), out / ".work")
    import torch
    import ultralytics
    from ultralytics import YOLO

    for name in sys.argv[2:]:
        torch.manual_seed(0)
        model = YOLO(f"{name}.yaml").model
        ckpt = {"date": datetime.now().isoformat(), "version": ultralytics.__version__, "epoch": -1, "best_fitness": None,
                "model": deepcopy(model).half(), "ema": None, "updates": None, "optimizer": None, "train_args": {}}
        torch.save(ckpt, out / f"{name}.pt")
        print(out / f"{name}.pt")


if __name__ == "__main__":
    main()
