"""Imports a fetched ultralytics source tree offline and registers the plug-in modules in its YAML parser.

    ultralytics = setup(source_dir, work_dir)

- `source_dir` is a clone of https://github.com/ultralytics/ultralytics (the folder holding the `ultralytics`
  package); it goes first on sys.path, so no pip install is needed.
- Nothing is downloaded: YOLO_OFFLINE=1, the settings file lives in `work_dir` (YOLO_CONFIG_DIR) with sync, hub
  and every logger integration off. (Plots must be off too: they fetch a font; the scripts pass plots=False.)
- `polars` (which 8.4's trainer and results import for CSV reading and plots) and `filelock` (imported at
  module level by ultralytics.data.converter for a cache lock this never takes) are stubbed when they are not
  installed (Debian has neither as python3 packages ultralytics can use): the trainer's `read_results_csv`
  catches the failure, and the plots that need polars are off.
- `register()` makes parse_model accept the plug-in modules with the channel rules of the block each one stands
  in for (DSConv2D like Conv, C2f_DSConv like C2f, C3k2_DSConv like C3k2). parse_model keeps those rules in
  local sets (`base_modules`, `repeat_modules`) and identity tests (`m is C3k2`: repeat count inserted, c3k on
  at scales m/l/x, non-legacy Detect head), so registering a class there cannot be done from outside. The
  function's source is read from the fetched tree at run time, each plug-in class is added beside its model
  block in those sets and tests (every edit is checked to hit; if the source changed shape it stops with an
  error), and the result is compiled into ultralytics.nn.tasks in place of the original. The classes are also
  put into the module's globals, where parse_model looks YAML names up. Nothing of ultralytics is copied
  into this repository.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import sys
import types
from pathlib import Path

EXPECTED_VERSION = "8.4.104"

# ultralytics settings turned off: usage sync, HUB, logger integrations, console tips
OFF_SETTINGS = ("sync", "hub", "clearml", "comet", "dvc", "mlflow", "neptune", "raytune", "tensorboard", "wandb",
                "vscode_msg", "openvino_msg")

# plug-in class name -> the ultralytics block whose parse rules it follows
STANDS_IN_FOR = {"DSConv2D": "Conv", "C2f_DSConv": "C2f", "C3k2_DSConv": "C3k2"}


def setup(source_dir: str | os.PathLike, work_dir: str | os.PathLike):
    source_dir = Path(source_dir).resolve()
    if not (source_dir / "ultralytics" / "__init__.py").exists():
        raise SystemExit(f"{source_dir}: not an ultralytics source tree (no ultralytics/__init__.py); clone it first")
    work_dir = Path(work_dir).resolve()
    (work_dir / "config").mkdir(parents=True, exist_ok=True)
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_CONFIG_DIR"] = str(work_dir / "config")
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    _stub_missing_modules()
    if str(source_dir) not in sys.path:
        sys.path.insert(0, str(source_dir))
    here = Path(__file__).resolve().parent.parent  # reference/: plugconv_ref lives there
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))

    import ultralytics
    from ultralytics.utils import SETTINGS

    if not str(Path(ultralytics.__file__).resolve()).startswith(str(source_dir)):
        raise SystemExit(f"ultralytics was imported from {ultralytics.__file__}, not from {source_dir}")
    if ultralytics.__version__ != EXPECTED_VERSION:
        print(f"warning: ultralytics {ultralytics.__version__}, these scripts were written for {EXPECTED_VERSION}")
    SETTINGS.update(
        {key: False for key in OFF_SETTINGS},
        runs_dir=str(work_dir / "runs"),
        datasets_dir=str(work_dir),
        weights_dir=str(work_dir / "weights"),
    )
    register()
    return ultralytics


class _Unavailable:
    """Stands for a class of a stubbed module; using it says which package to install."""

    package = ""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} needs the '{self.package}' package, which is not installed")


def _stub_missing_modules() -> None:
    """Empty stand-ins for modules ultralytics imports but this use of it never calls (only when not installed):
    polars (results tables, CSV reading, plots) and filelock (a converter's cache lock)."""
    stubs = {"polars": {}, "filelock": {"AsyncFileLock": None, "FileLock": None, "Timeout": TimeoutError}}
    for name, attrs in stubs.items():
        if name in sys.modules or importlib.util.find_spec(name) is not None:
            continue
        module = types.ModuleType(name)
        for attr, value in attrs.items():
            setattr(module, attr, value or type(attr, (_Unavailable,), {"package": name}))
        sys.modules[name] = module


def _patched_parse_model_source(src: str, stand_ins: dict[str, str]) -> str:
    for seed, block in stand_ins.items():
        # in the rule sets: "    C3k2," -> "    C3k2, C3k2_DSConv,"
        src, n_sets = re.subn(rf"(?m)^(\s+){block},$", rf"\g<1>{block}, {seed},", src)
        # identity tests: "m is C3k2" -> "m in (C3k2, C3k2_DSConv)"
        src, n_is = re.subn(rf"\bm is {block}\b(?!\w)", f"m in ({block}, {seed})", src)
        if n_sets == 0:
            raise SystemExit(f"parse_model: could not find {block} in its module sets; the source changed, update {__file__}")
        if block == "C3k2" and n_is == 0:
            raise SystemExit(f"parse_model: no 'm is C3k2' test found; the source changed, update {__file__}")
    return src


def register() -> None:
    """Registers the plug-in modules in ultralytics.nn.tasks (idempotent)."""
    from ultralytics.nn import tasks

    from plugconv_ref import plugin_modules

    if getattr(tasks.parse_model, "_plugconv_plugin_modules", False):
        return
    for name in STANDS_IN_FOR:
        setattr(tasks, name, getattr(plugin_modules, name))
    lines, first = inspect.getsourcelines(tasks.parse_model)
    # padded so that tracebacks through the patched function show the right line of tasks.py
    src = "\n" * (first - 1) + _patched_parse_model_source("".join(lines), STANDS_IN_FOR)
    code = compile(src, tasks.__file__, "exec")
    namespace = vars(tasks)
    original = namespace["parse_model"]
    exec(code, namespace)
    namespace["parse_model"]._plugconv_plugin_modules = True
    namespace["parse_model"].__wrapped_original__ = original
